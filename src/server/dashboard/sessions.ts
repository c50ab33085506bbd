/**
 * Dashboard sessions, kept in this process's memory: a random id in an HttpOnly, SameSite=Strict
 * cookie scoped to `/admin`, an idle expiry, and a per-session CSRF token that every POST must echo
 * in the `x-csrf-token` header. Several gateway instances behind one address need sticky sessions
 * (or the admin signs in on each); a restart signs everyone out.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'wcg_admin';
export const CSRF_HEADER = 'x-csrf-token';

export interface DashboardSession {
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionOptions {
  /** A session unused this long ends (default 12 h). */
  idleMs?: number;
  /** A session ends this long after sign-in whatever its use (default 7 days). */
  maxAgeMs?: number;
  now?: () => number;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

/** The cookie header's value for `name`, undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export class DashboardSessions {
  /** By the SHA-256 of the cookie value: a heap dump shows no usable id. */
  readonly #sessions = new Map<string, DashboardSession>();
  readonly #idleMs: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: SessionOptions = {}) {
    this.#idleMs = options.idleMs ?? 12 * 3600_000;
    this.#maxAgeMs = options.maxAgeMs ?? 7 * 86400_000;
    this.#now = options.now ?? Date.now;
  }

  /** Starts a session and sets its cookie (Secure when the request came over https). */
  start(request: FastifyRequest, reply: FastifyReply): DashboardSession {
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    const now = this.#now();
    const session = { csrfToken: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.#sessions.set(digest(id), session);
    reply.header('set-cookie', this.#cookie(request, id));
    return session;
  }

  /** The live session the request's cookie names (its idle clock restarts), else undefined. */
  find(request: FastifyRequest): DashboardSession | undefined {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!id) return undefined;
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    const now = this.#now();
    if (now - session.lastSeenAt > this.#idleMs || now - session.createdAt > this.#maxAgeMs) {
      this.#sessions.delete(key);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  /** Whether the request's CSRF header matches its session's token (constant time). */
  csrfValid(request: FastifyRequest, session: DashboardSession): boolean {
    const presented = request.headers[CSRF_HEADER];
    if (typeof presented !== 'string') return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(session.csrfToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Ends the request's session and clears its cookie. */
  end(request: FastifyRequest, reply: FastifyReply): void {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id) this.#sessions.delete(digest(id));
    reply.header('set-cookie', this.#cookie(request, '', '; Max-Age=0'));
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A browser-session cookie: the server's idle and absolute expiry decide how long it is good for. */
  #cookie(request: FastifyRequest, value: string, extra = ''): string {
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return `${SESSION_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict${extra}${secure}`;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, session] of this.#sessions) {
      if (now - session.lastSeenAt > this.#idleMs || now - session.createdAt > this.#maxAgeMs) {
        this.#sessions.delete(key);
      }
    }
  }
}
