import type { ChatEvent } from '../../core/chat-event.ts';
import { collectReply, effectiveFinishReason } from '../shared/collect-reply.ts';
import { toAnthropicUsage } from './anthropic-usage.ts';
import { mapStopReason } from './map-stop-reason.ts';
import type { MessagesRenderContext } from './messages-render-context.ts';

/** Tool arguments arrive as JSON text; the Message carries them as an object. */
function toolInput(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    // Unparseable arguments cannot be an object; the tools layer repairs JSON before this point.
    return {};
  }
}

/**
 * The non-streaming Message object. An `error` event is thrown (as its GatewayError) so the
 * caller answers with an error response instead.
 */
export function renderMessagesResponse(events: readonly ChatEvent[], ctx: MessagesRenderContext): object {
  const reply = collectReply(events);
  let sawToolUse = false;
  const content = reply.blocks.map((block) => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'reasoning':
        return { type: 'thinking', thinking: block.text, signature: block.signature ?? '' };
    }
    sawToolUse = true;
    return { type: 'tool_use', id: block.id, name: block.name, input: toolInput(block.arguments) };
  });
  const reason = effectiveFinishReason(reply.finish?.reason ?? 'stop', sawToolUse);
  const usage = reply.usage ?? { inputTokens: ctx.inputTokens, outputTokens: 0, estimated: true };
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: mapStopReason(reason),
    stop_sequence: reason === 'stop-sequence' ? (reply.finish?.stopSequence ?? null) : null,
    usage: toAnthropicUsage(usage),
  };
}

/** `POST /v1/messages/count_tokens` answer. */
export function renderCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
