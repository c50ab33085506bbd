import { parseCountTokensRequest } from '../../dialects/anthropic-messages/parse-messages-request.ts';
import { renderAnthropicError } from '../../dialects/anthropic-messages/render-anthropic-error.ts';
import { renderCountTokensResponse } from '../../dialects/anthropic-messages/render-messages-response.ts';
import { renderOpenAIError } from '../../dialects/shared/render-openai-error.ts';
import type { ModelCatalog } from '../../pipeline/model-catalog.ts';
import { estimateRequestTokens } from '../../pipeline/token-estimate.ts';
import type { ResponsesRepository } from '../../store/responses-repository.ts';
import type { FrontDoors } from '../create-app.ts';
import type { FrontDoor } from '../front-door.ts';
import { anthropicMessagesFrontDoor } from './anthropic-messages-front-door.ts';
import { openAIChatFrontDoor } from './openai-chat-front-door.ts';
import { openAIResponsesFrontDoor } from './openai-responses-front-door.ts';

export interface FrontDoorDeps {
  catalog: ModelCatalog;
  responses: ResponsesRepository;
  responsesTtlSeconds: number;
}

export function defaultFrontDoors(deps: FrontDoorDeps): FrontDoors {
  return {
    chatCompletions: openAIChatFrontDoor as FrontDoor<never>,
    responses: openAIResponsesFrontDoor(deps.responses, deps.responsesTtlSeconds) as FrontDoor<never>,
    messages: anthropicMessagesFrontDoor as FrontDoor<never>,
    async countTokens(body) {
      const { request } = parseCountTokensRequest(body);
      // Unknown models are a 404 here as on /v1/messages.
      await deps.catalog.resolve(request.model);
      return renderCountTokensResponse(estimateRequestTokens(request));
    },
    renderOpenAIError,
    renderAnthropicError,
    storedResponses: deps.responses,
  };
}
