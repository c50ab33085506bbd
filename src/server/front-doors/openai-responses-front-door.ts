import type { ChatMessage } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import { inputItemsForStorage } from '../../dialects/openai-responses/input-items.ts';
import {
  type ItemReferences,
  itemNotFound,
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

type ResponsesExtras = Omit<ParsedResponsesRequest, 'request'> & {
  body: unknown;
  /** The stored items the body's `item_reference`s resolved to (set by `prepare`). */
  references?: ItemReferences;
};

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
 * key, for `ttlSeconds`: the response object, its input items, and every item by id, so
 * `previous_response_id`, `item_reference` and `GET /v1/responses/{id}` work on them.
 */
export function openAIResponsesFrontDoor(
  repository: ResponsesRepository,
  ttlSeconds: number,
): FrontDoor<ResponsesExtras> {
  return {
    dialect: 'openai',
    parse(body) {
      const { request, ...extras } = parseResponsesRequest(body);
      return { request, extras: { ...extras, body } };
    },
    newId: () => generateId('resp_'),
    async prepare(parsedRequest, extras, principal) {
      let request = parsedRequest;
      if (extras.itemReferences.length > 0) {
        // Item references resolve against this key's stored items only; another key's are "not found".
        const references = await repository.items(
          extras.itemReferences.map((ref) => ref.id),
          principal.keyId,
        );
        const missing = extras.itemReferences.find((ref) => !references.has(ref.id));
        if (missing) throw itemNotFound(missing.id, missing.param);
        const reparsed = parseResponsesRequest(extras.body, { references });
        request = reparsed.request;
        extras.references = references;
      }
      if (!extras.previousResponseId) return request;
      const previous = await repository.get(extras.previousResponseId, principal.keyId);
      if (!previous) {
        throw new GatewayError(
          'not_found',
          `Previous response with id '${extras.previousResponseId}' not found.`,
          { param: 'previous_response_id' },
        );
      }
      const history = previous.output as { messages: ChatMessage[]; system?: string };
      return {
        ...request,
        system: request.system ?? history.system,
        messages: [...history.messages, ...request.messages],
      };
    },
    async completed({ request, extras, principal, input, events, rendered }) {
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
        response: rendered as Record<string, unknown> | undefined,
        // Normalised only when kept: the parser already validated this input.
        inputItems: inputItemsForStorage(
          (extras.body as { input: Parameters<typeof inputItemsForStorage>[0] }).input,
          extras.references,
          generateId,
        ),
      });
    },
    streamRenderer(input, extras) {
      const renderer = new ResponsesStreamRenderer(context(input, extras.echo));
      return {
        start: () => renderer.start(),
        push: (e) => renderer.push(e),
        ping: () => renderer.ping(),
        result: () => renderer.result(),
      };
    },
    renderResponse(events, input, extras) {
      return renderResponsesResponse(events, context(input, extras.echo));
    },
    renderError: renderOpenAIError,
  };
}
