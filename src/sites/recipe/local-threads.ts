import { randomUUID } from 'node:crypto';
import { ThreadNotFoundError } from '../../site-contract/site-errors.ts';

export type LocalMessage = Readonly<Record<string, unknown>>;

const MAX_THREADS = 500;

/**
 * `send.history: local` (format 2): for sites whose API takes the whole conversation and keeps no
 * chats, the gateway keeps each thread's messages here (in memory, bounded, oldest used first out),
 * so `{{messages}}` carries the history and turns continue on their own threads. A forgotten thread
 * (restart, eviction) is reported as not found, and the conversation falls back to a new one.
 */
export class LocalThreads {
  readonly #threads = new Map<string, LocalMessage[]>();

  /** The messages so far; throws ThreadNotFoundError for an id it does not hold. */
  history(threadId: string): LocalMessage[] {
    const messages = this.#threads.get(threadId);
    if (!messages) throw new ThreadNotFoundError(threadId);
    // Most recently used last, so eviction takes the thread idle longest.
    this.#threads.delete(threadId);
    this.#threads.set(threadId, messages);
    return [...messages];
  }

  newId(): string {
    return `local-${randomUUID()}`;
  }

  /** Records a finished turn: the messages it sent and the reply. */
  append(threadId: string, sent: LocalMessage[], reply: string): void {
    const messages = this.#threads.get(threadId) ?? [];
    this.#threads.delete(threadId);
    messages.push(...sent, { role: 'assistant', text: reply, parts: [{ type: 'text', text: reply }] });
    this.#threads.set(threadId, messages);
    while (this.#threads.size > MAX_THREADS) {
      const oldest = this.#threads.keys().next().value;
      if (oldest === undefined) break;
      this.#threads.delete(oldest);
    }
  }

  delete(threadId: string): void {
    this.#threads.delete(threadId);
  }
}
