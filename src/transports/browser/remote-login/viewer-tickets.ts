import { randomBytes } from 'node:crypto';

/**
 * Short-lived tickets that let the viewer page's WebSocket in: a browser cannot put the admin key
 * in a WebSocket header, and the key itself should not travel in WebSocket URLs.
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

  #sweep(): void {
    const now = Date.now();
    for (const [ticket, entry] of this.#tickets) if (entry.expires <= now) this.#tickets.delete(ticket);
  }
}
