import { randomBytes } from 'node:crypto';

export interface Session {
  id: string;
  username: string;
  csrfToken: string;
  expiresAt: number;
}

export type SessionLookup =
  | { status: 'valid'; session: Session }
  | { status: 'expired' }
  | { status: 'missing' };

// Expired sessions are remembered this long so the site can say `session_expired` rather than `not_logged_in`.
const EXPIRED_MEMORY_MS = 24 * 3600 * 1000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(username: string): Session {
    this.prune();
    const session: Session = {
      id: randomBytes(24).toString('base64url'),
      username,
      // A fresh token per login: the token is bound to the session.
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: this.now() + this.ttlSeconds * 1000,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  lookup(id: string | undefined): SessionLookup {
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session) return { status: 'missing' };
    if (session.expiresAt <= this.now()) return { status: 'expired' };
    return { status: 'valid', session };
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of one account. */
  destroyFor(username: string): void {
    for (const [id, session] of this.sessions) if (session.username === username) this.sessions.delete(id);
  }

  destroyAll(): void {
    this.sessions.clear();
  }

  /** Every current session now answers `session_expired`; later logins are unaffected. */
  expireAll(): void {
    const now = this.now();
    for (const session of this.sessions.values()) session.expiresAt = Math.min(session.expiresAt, now);
  }

  private prune(): void {
    const cutoff = this.now() - EXPIRED_MEMORY_MS;
    for (const [id, session] of this.sessions) if (session.expiresAt < cutoff) this.sessions.delete(id);
  }
}
