import { parseChatCompletionsRequest } from '../../dialects/openai-chat/parse-chat-completions-request.ts';
import { renderChatCompletionResponse } from '../../dialects/openai-chat/render-chat-completions-response.ts';
import { ChatCompletionsStreamRenderer } from '../../dialects/openai-chat/render-chat-completions-stream.ts';
import { generateId } from '../../dialects/shared/ids.ts';
import { renderOpenAIError } from '../../dialects/shared/render-openai-error.ts';
import type { FrontDoor } from '../front-door.ts';

interface ChatExtras {
  includeUsage: boolean;
}

export const openAIChatFrontDoor: FrontDoor<ChatExtras> = {
  dialect: 'openai',
  parse(body) {
    const parsed = parseChatCompletionsRequest(body);
    return { request: parsed.request, extras: { includeUsage: parsed.includeUsage } };
  },
  newId: () => generateId('chatcmpl-'),
  streamRenderer(input, extras) {
    const renderer = new ChatCompletionsStreamRenderer({
      id: input.id,
      model: input.publicModel,
      createdAt: input.createdAt,
      inputTokens: input.inputTokens,
      includeUsage: extras.includeUsage,
    });
    return { start: () => renderer.start(), push: (e) => renderer.push(e), ping: () => renderer.ping() };
  },
  renderResponse(events, input) {
    return renderChatCompletionResponse(events, {
      id: input.id,
      model: input.publicModel,
      createdAt: input.createdAt,
      inputTokens: input.inputTokens,
    });
  },
  renderError: renderOpenAIError,
};
