import type { ChatEvent } from '../../core/chat-event.ts';
import { collectReply, effectiveFinishReason } from '../shared/collect-reply.ts';
import { generateId } from '../shared/ids.ts';
import { messageItem, reasoningItem, toolCallItem } from './response-items.ts';
import { buildResponseObject, type ResponseState, statusForFinish } from './response-object.ts';
import type { ResponsesRenderContext } from './responses-render-context.ts';

/**
 * The non-streaming Response object. An `error` event is thrown (as its GatewayError) so the
 * caller answers with an error response instead. `output_text` is left to the SDKs, as the API does.
 */
export function renderResponsesResponse(
  events: readonly ChatEvent[],
  ctx: ResponsesRenderContext,
): Record<string, unknown> {
  const newId = ctx.newId ?? generateId;
  const reply = collectReply(events);
  const output: Record<string, unknown>[] = [];
  let sawToolCall = false;
  for (const block of reply.blocks) {
    if (block.type === 'text') output.push(messageItem(newId('msg_'), block.text, 'completed'));
    else if (block.type === 'reasoning')
      output.push(reasoningItem(newId('rs_'), block.text, block.signature));
    else {
      sawToolCall = true;
      const id = newId(block.kind === 'custom' ? 'ctc_' : 'fc_');
      output.push(toolCallItem(id, { ...block, callId: block.id }, 'completed'));
    }
  }
  const { status, incompleteReason } = statusForFinish(
    effectiveFinishReason(reply.finish?.reason ?? 'stop', sawToolCall),
  );
  const state: ResponseState = {
    status,
    output,
    usage: reply.usage ?? { inputTokens: ctx.inputTokens, outputTokens: 0, estimated: true },
  };
  if (incompleteReason !== undefined) state.incompleteReason = incompleteReason;
  return buildResponseObject(ctx, state);
}
