import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { CumulativeText } from '../kit/cumulative-to-delta.ts';
import { ChannelFrame, ChannelMessage, MessageAdded } from './poe-wire.ts';

export type ChannelEvent =
  | { kind: 'update'; subscription: string; chatId: string; data: Record<string, unknown> }
  /** The server asks for a new channel (`refetchChannel`) or says frames were lost (`missed_messages`). */
  | { kind: 'reconnect'; reason: string }
  | { kind: 'ping' };

/**
 * One raw frame of the update socket → what it means (liuyingduo/poe-api-wrapper reverse/api.py
 * @ 4ae9996d `on_message`): `{"messages": ["<json>", …]}` where each inner message has a
 * `message_type` and a `payload` whose `unique_id` is `"<subscription>:<chatId>"`; a top-level
 * `{"error": "missed_messages"}` or an inner `refetchChannel` means reconnect; `{"type":"ping"}`
 * wants a pong. Anything unreadable is dropped.
 */
export function parseChannelFrame(raw: string): ChannelEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  const frame = ChannelFrame.safeParse(parsed);
  if (!frame.success) return [];
  if (frame.data.type === 'ping') return [{ kind: 'ping' }];
  if (frame.data.error === 'missed_messages') return [{ kind: 'reconnect', reason: 'missed_messages' }];
  const events: ChannelEvent[] = [];
  for (const text of frame.data.messages ?? []) {
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      continue;
    }
    const message = ChannelMessage.safeParse(inner);
    if (!message.success) continue;
    if (message.data.message_type === 'refetchChannel') {
      events.push({ kind: 'reconnect', reason: 'refetchChannel' });
      continue;
    }
    const payload = message.data.payload;
    const subscription = payload?.subscription_name;
    const uniqueId = payload?.unique_id;
    if (!subscription || !uniqueId || !payload?.data || !uniqueId.startsWith(`${subscription}:`)) continue;
    events.push({
      kind: 'update',
      subscription,
      chatId: uniqueId.slice(subscription.length + 1),
      data: payload.data,
    });
  }
  return events;
}

export interface PoeReplyStep {
  events: SiteEvent[];
  done: boolean;
}

/**
 * The bot's reply in one chat, from `messageAdded` updates that each carry the whole message so far
 * (`text`, `state`, `author`). The human message (author `human`) is skipped; the first bot message
 * after the send is followed and any other ignored; snapshots become deltas through
 * `CumulativeText`; `state: complete` ends the reply; an `error…` state fails it.
 */
export class PoeReplyTranslator {
  readonly #text = new CumulativeText();
  #messageId: string | undefined;
  #done = false;

  /** The bot message being followed (needed to stop it). */
  get messageId(): string | undefined {
    return this.#messageId;
  }

  get textLength(): number {
    return this.#text.emitted.length;
  }

  get rewrites(): number {
    return this.#text.rewrites;
  }

  push(update: Extract<ChannelEvent, { kind: 'update' }>): PoeReplyStep {
    if (this.#done) return { events: [], done: true };
    if (update.subscription === 'messageCancelled') {
      throw new GatewayError('upstream', 'Poe cancelled the reply before it finished.');
    }
    if (update.subscription !== 'messageAdded') return { events: [], done: false };
    const parsed = MessageAdded.safeParse(update.data.messageAdded);
    if (!parsed.success) return { events: [], done: false };
    const message = parsed.data;
    if (message.author === 'human') return { events: [], done: false };
    const id = String(message.messageId);
    this.#messageId ??= id;
    if (id !== this.#messageId) return { events: [], done: false };
    const state = message.state ?? '';
    if (state.startsWith('error')) {
      this.#done = true;
      throw state === 'error_user_message_too_long'
        ? new GatewayError('context_length_exceeded', 'Poe says the message is too long for this bot.')
        : new GatewayError('upstream', `Poe's bot failed to answer (${state}).`);
    }
    const events: SiteEvent[] = [];
    const delta = this.#text.next(message.text ?? '');
    if (delta) events.push({ type: 'text', delta });
    if (state === 'complete') {
      this.#done = true;
      events.push({ type: 'finish', reason: 'stop' });
    }
    return { events, done: this.#done };
  }
}
