import type { FinishReason } from '../../core/chat-event.ts';

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** A stop-sequence hit is a plain `stop` in Chat Completions (it has no separate reason). */
export function mapChatFinishReason(reason: FinishReason): ChatFinishReason {
  switch (reason) {
    case 'stop':
    case 'stop-sequence':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
  }
}
