import { parseMessagesRequest } from '../../dialects/anthropic-messages/parse-messages-request.ts';
import { renderAnthropicError } from '../../dialects/anthropic-messages/render-anthropic-error.ts';
import { renderMessagesResponse } from '../../dialects/anthropic-messages/render-messages-response.ts';
import { MessagesStreamRenderer } from '../../dialects/anthropic-messages/render-messages-stream.ts';
import { generateId } from '../../dialects/shared/ids.ts';
import type { FrontDoor, RenderInput } from '../front-door.ts';

function context(input: RenderInput) {
  return { id: input.id, model: input.publicModel, inputTokens: input.inputTokens };
}

export const anthropicMessagesFrontDoor: FrontDoor<Record<string, never>> = {
  dialect: 'anthropic',
  parse(body) {
    return { request: parseMessagesRequest(body).request, extras: {} };
  },
  newId: () => generateId('msg_'),
  // Anthropic streams thinking blocks only when the request enabled thinking.
  prepare: async (request) => (request.reasoning ? request : { ...request, reasoning: { enabled: false } }),
  streamRenderer(input) {
    const renderer = new MessagesStreamRenderer(context(input));
    return { start: () => renderer.start(), push: (e) => renderer.push(e), ping: () => renderer.ping() };
  },
  renderResponse(events, input) {
    return renderMessagesResponse(events, context(input));
  },
  renderError: renderAnthropicError,
};
