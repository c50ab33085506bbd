import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { DemoDelta, DemoDone, DemoMeta, DemoStreamError, DemoToolCall } from './demo-wire.ts';

export type DemoFrameResult = { event: SiteEvent; done: boolean } | { event: undefined; done: boolean };

/**
 * One demo-site stream frame (SSE event or WebSocket message, same names and payloads) to a
 * SiteEvent. A mid-stream `error` frame throws: the site failed after streaming began.
 */
export function translateDemoFrame(name: string, payload: unknown): DemoFrameResult {
  switch (name) {
    case 'meta': {
      const meta = DemoMeta.parse(payload);
      return {
        event: { type: 'thread', threadId: meta.threadId, messageId: meta.messageId, turn: meta.turn },
        done: false,
      };
    }
    case 'thinking':
      return { event: { type: 'reasoning', delta: DemoDelta.parse(payload).delta }, done: false };
    case 'text':
      return { event: { type: 'text', delta: DemoDelta.parse(payload).delta }, done: false };
    case 'tool_call': {
      const call = DemoToolCall.parse(payload);
      return {
        event: { type: 'tool-call', id: call.id, name: call.name, arguments: call.arguments },
        done: false,
      };
    }
    case 'done': {
      const done = DemoDone.parse(payload);
      const reason = done.finishReason === 'tool_calls' ? 'tool-calls' : done.finishReason;
      return { event: { type: 'finish', reason }, done: true };
    }
    case 'error': {
      const error = DemoStreamError.parse(payload);
      throw new GatewayError(
        'upstream',
        `The site failed mid-stream (${error.code}): ${error.message ?? ''}`.trim(),
      );
    }
    default:
      // Unknown frames are ignored so a site adding events does not break the adapter.
      return { event: undefined, done: false };
  }
}
