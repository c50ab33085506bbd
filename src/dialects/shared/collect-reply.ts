import type { ChatEvent, FinishReason, Usage } from '../../core/chat-event.ts';

/** One piece of the reply, in the order the model produced it. */
export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string; signature?: string }
  | { type: 'tool-call'; id: string; name: string; kind: 'function' | 'custom'; arguments: string };

export interface CollectedReply {
  blocks: ReplyBlock[];
  usage?: Usage;
  finish?: { reason: FinishReason; stopSequence?: string };
}

/**
 * Folds a complete event list into blocks for the non-streaming renderers. Consecutive deltas of
 * one kind merge into one block; a failure event is thrown so no success body is built from it.
 */
export function collectReply(events: readonly ChatEvent[]): CollectedReply {
  const reply: CollectedReply = { blocks: [] };
  const toolCalls = new Map<string, Extract<ReplyBlock, { type: 'tool-call' }>>();
  const last = (): ReplyBlock | undefined => reply.blocks[reply.blocks.length - 1];
  let reasoningOpen = false;

  for (const event of events) {
    switch (event.type) {
      case 'text-delta': {
        const block = last();
        if (block?.type === 'text') block.text += event.text;
        else reply.blocks.push({ type: 'text', text: event.text });
        reasoningOpen = false;
        break;
      }
      case 'reasoning-delta': {
        const block = last();
        if (block?.type === 'reasoning' && reasoningOpen) block.text += event.text;
        else reply.blocks.push({ type: 'reasoning', text: event.text });
        reasoningOpen = true;
        break;
      }
      case 'reasoning-end': {
        const block = last();
        if (block?.type === 'reasoning' && reasoningOpen) block.signature = event.signature;
        else reply.blocks.push({ type: 'reasoning', text: '', signature: event.signature });
        reasoningOpen = false;
        break;
      }
      case 'tool-call-start': {
        const block = {
          type: 'tool-call' as const,
          id: event.id,
          name: event.name,
          kind: event.kind,
          arguments: '',
        };
        toolCalls.set(event.id, block);
        reply.blocks.push(block);
        reasoningOpen = false;
        break;
      }
      case 'tool-call-delta': {
        const block = toolCalls.get(event.id);
        if (block) block.arguments += event.argumentsDelta;
        break;
      }
      case 'tool-call-end':
        break;
      case 'usage':
        reply.usage = event.usage;
        break;
      case 'finish':
        reply.finish =
          event.stopSequence === undefined
            ? { reason: event.reason }
            : { reason: event.reason, stopSequence: event.stopSequence };
        break;
      case 'error':
        throw event.error;
    }
  }
  return reply;
}

/** Tool calls win over a plain `stop`: agents loop on tool calls only when the finish reason says so. */
export function effectiveFinishReason(reason: FinishReason, sawToolCall: boolean): FinishReason {
  return reason === 'stop' && sawToolCall ? 'tool-calls' : reason;
}
