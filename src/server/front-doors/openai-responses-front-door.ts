import type { ChatMessage } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import {
  type ParsedResponsesRequest,
  parseResponsesRequest,
} from '../../dialects/openai-responses/parse-responses-request.ts';
import { renderResponsesResponse } from '../../dialects/openai-responses/render-responses-response.ts';
import { ResponsesStreamRenderer } from '../../dialects/openai-responses/render-responses-stream.ts';
import type { ResponsesEcho } from '../../dialects/openai-responses/responses-echo.ts';
import { generateId } from '../../dialects/shared/ids.ts';
import { renderOpenAIError } from '../../dialects/shared/render-openai-error.ts';
import { answerFromEvents } from '../../features/conversations/answer-message.ts';
import type { ResponsesRepository } from '../../store/responses-repository.ts';
import type { FrontDoor, RenderInput } from '../front-door.ts';

type ResponsesExtras = Omit<ParsedResponsesRequest, 'request'>;

function context(input: RenderInput, echo: ResponsesEcho) {
  return {
    id: input.id,
    model: input.publicModel,
    createdAt: input.createdAt,
    inputTokens: input.inputTokens,
    echo,
  };
}

/**
 * `POST /v1/responses`. With `store` (the default) finished responses are kept, scoped to the API
 * key, for `ttlSeconds`, so `previous_response_id` can continue from them.
 */
export function openAIResponsesFrontDoor(
  repository: ResponsesRepository,
  ttlSeconds: number,
): FrontDoor<ResponsesExtras> {
  return {
    dialect: 'openai',
    parse(body) {
      const { request, ...extras } = parseResponsesRequest(body);
      return { request, extras };
    },
    newId: () => generateId('resp_'),
    async prepare(request, extras, principal) {
      if (!extras.previousResponseId) return request;
      const previous = await repository.get(extras.previousResponseId, principal.keyId);
      if (!previous) {
        throw new GatewayError(
          'not_found',
          `Previous response with id '${extras.previousResponseId}' not found.`,
          {
            param: 'previous_response_id',
          },
        );
      }
      const history = previous.output as { messages: ChatMessage[]; system?: string };
      return {
        ...request,
        system: request.system ?? history.system,
        messages: [...history.messages, ...request.messages],
      };
    },
    async completed({ request, extras, principal, input, events }) {
      if (!extras.store) return;
      const answer = answerFromEvents(events);
      if (!answer) return;
      const now = new Date();
      const messages = [...request.messages, answer];
      await repository.save({
        id: input.id,
        keyId: principal.keyId,
        model: input.publicModel,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        requestMessages: request.messages,
        output: { messages, system: request.system },
      });
    },
    streamRenderer(input, extras) {
      const renderer = new ResponsesStreamRenderer(context(input, extras.echo));
      return { start: () => renderer.start(), push: (e) => renderer.push(e), ping: () => renderer.ping() };
    },
    renderResponse(events, input, extras) {
      return renderResponsesResponse(events, context(input, extras.echo));
    },
    renderError: renderOpenAIError,
  };
}
