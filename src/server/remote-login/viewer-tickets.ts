import { randomBytes } from 'node:crypto';

/**
 * Short-lived tickets standing in for the admin key where a browser cannot send a header: opening
 * the viewer page (one-time, from a POST made with the key) and its WebSocket (reused on reconnect).
 * The key itself never travels in a URL.
 */
export class ViewerTickets {
  readonly #tickets = new Map<string, { accountId: string; expires: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs = 15 * 60_000) {
    this.#ttlMs = ttlMs;
  }

  issue(accountId: string): string {
    this.#sweep();
    const ticket = randomBytes(24).toString('base64url');
    this.#tickets.set(ticket, { accountId, expires: Date.now() + this.#ttlMs });
    return ticket;
  }

  /** Valid for its account until it expires (the viewer reconnects with it). */
  check(ticket: string, accountId: string): boolean {
    const entry = this.#tickets.get(ticket);
    return entry !== undefined && entry.accountId === accountId && entry.expires > Date.now();
  }

  /** Like `check`, but the ticket is spent: a second use, even a valid one, fails. */
  consume(ticket: string, accountId: string): boolean {
    const valid = this.check(ticket, accountId);
    if (this.#tickets.get(ticket)?.accountId === accountId) this.#tickets.delete(ticket);
    return valid;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [ticket, entry] of this.#tickets) if (entry.expires <= now) this.#tickets.delete(ticket);
  }
}
