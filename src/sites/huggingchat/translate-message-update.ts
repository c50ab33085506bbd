import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { MessageUpdate } from './huggingchat-wire.ts';

export interface UpdateResult {
  events: SiteEvent[];
  /** The reply is complete (`finalAnswer`); nothing after it matters. */
  done: boolean;
}

/**
 * HuggingChat `MessageUpdate` lines → SiteEvents, with the little state the wire needs:
 * - `stream` tokens are deltas padded with U+0000 (chat-ui hides token lengths); the padding goes.
 * - `finalAnswer` carries the whole text. When nothing streamed (some models, or a reply replayed
 *   after a tool run) it becomes the text; when it extends what streamed, the rest is sent; when it
 *   differs (the server trimmed stop tokens or whitespace) the streamed text stands.
 * - `reasoning` with subtype `stream` is reasoning; its `status` summaries are UI chrome.
 * - `status: error` fails the reply, with the HTTP-like `statusCode` when the server gives one.
 */
export class MessageUpdateTranslator {
  #streamed = '';
  #done = false;

  push(line: unknown): UpdateResult {
    if (this.#done) return { events: [], done: true };
    const parsed = MessageUpdate.safeParse(line);
    if (!parsed.success) return { events: [], done: false };
    const update = parsed.data;
    switch (update.type) {
      case 'stream': {
        const token = update.token.replace(/\u0000/g, '');
        if (token === '') return { events: [], done: false };
        this.#streamed += token;
        return { events: [{ type: 'text', delta: token }], done: false };
      }
      case 'reasoning': {
        const token = (update.token ?? '').replace(/\u0000/g, '');
        if ((update.subtype ?? 'stream') !== 'stream' || token === '') return { events: [], done: false };
        return { events: [{ type: 'reasoning', delta: token }], done: false };
      }
      case 'finalAnswer': {
        this.#done = true;
        const events: SiteEvent[] = [];
        const rest = remainder(this.#streamed, update.text);
        if (rest !== '') events.push({ type: 'text', delta: rest });
        // chat-ui sets `interrupted` when generation stopped without an end token: the output limit.
        events.push({ type: 'finish', reason: update.interrupted ? 'length' : 'stop' });
        return { events, done: true };
      }
      case 'status':
        if (update.status === 'error') throw statusError(update.message, update.statusCode);
        return { events: [], done: false };
      case 'error':
        throw statusError(update.message, undefined);
      default:
        return { events: [], done: false };
    }
  }

  /** The stream closed; without a final answer the reply is incomplete. */
  end(): SiteEvent[] {
    if (this.#done) return [];
    throw new GatewayError('upstream', 'HuggingChat closed the reply stream before the final answer.');
  }
}

function remainder(streamed: string, final: string): string {
  if (streamed === '') return final;
  return final.startsWith(streamed) ? final.slice(streamed.length) : '';
}

function statusError(message: string | undefined, statusCode: number | undefined): GatewayError {
  const detail = `HuggingChat failed to answer${message ? `: ${message}` : '.'}`;
  if (statusCode === 429 || /rate.?limit|too many/i.test(message ?? '')) {
    return new GatewayError('rate_limit', detail, { retryAfterSeconds: 60 });
  }
  if (statusCode === 402 || /credit|quota|billing/i.test(message ?? '')) {
    return new GatewayError('rate_limit', `${detail} (the account's inference credits may be used up)`, {
      retryable: false,
    });
  }
  if (statusCode === 401 || statusCode === 403) return new GatewayError('permission', detail);
  return new GatewayError('upstream', detail);
}
