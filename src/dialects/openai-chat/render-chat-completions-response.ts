import type { ChatEvent } from '../../core/chat-event.ts';
import { collectReply, effectiveFinishReason } from '../shared/collect-reply.ts';
import type { ChatCompletionsRenderContext } from './chat-completions-render-context.ts';
import { toChatUsage } from './chat-usage.ts';
import { mapChatFinishReason } from './map-chat-finish-reason.ts';

type WireToolCall =
  | { id: string; type: 'function'; function: { name: string; arguments: string } }
  | { id: string; type: 'custom'; custom: { name: string; input: string } };

/**
 * The non-streaming `chat.completion` body. An `error` event is thrown (as the GatewayError it
 * carries) so the caller answers with an error response instead.
 */
export function renderChatCompletionResponse(
  events: readonly ChatEvent[],
  ctx: Omit<ChatCompletionsRenderContext, 'includeUsage'>,
): object {
  const reply = collectReply(events);
  let text = '';
  let reasoning = '';
  const toolCalls: WireToolCall[] = [];
  for (const block of reply.blocks) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'reasoning') reasoning += block.text;
    else if (block.kind === 'custom') {
      toolCalls.push({ id: block.id, type: 'custom', custom: { name: block.name, input: block.arguments } });
    } else {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: block.arguments },
      });
    }
  }

  const message: Record<string, unknown> = {
    role: 'assistant',
    // OpenAI sends null content for a pure tool-call turn; an empty text reply is "".
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;

  const usage = reply.usage ?? { inputTokens: ctx.inputTokens, outputTokens: 0, estimated: true };
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.createdAt,
    model: ctx.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: mapChatFinishReason(
          effectiveFinishReason(reply.finish?.reason ?? 'stop', toolCalls.length > 0),
        ),
      },
    ],
    usage: toChatUsage(usage),
  };
}
