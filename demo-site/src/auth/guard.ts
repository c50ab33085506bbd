import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DemoError } from '../errors.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import type { Session, SessionLookup, SessionStore } from './sessions.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PUBLIC_API = new Set(['/api/auth/login']);

export function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? url;
}

export function sessionError(lookup: SessionLookup): DemoError {
  return lookup.status === 'expired'
    ? new DemoError(401, 'session_expired', 'Your session has expired. Please log in again.')
    : new DemoError(401, 'not_logged_in', 'Please log in.');
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Session and CSRF checks for `/api/*`; handlers then read the session with `sessionOf`. */
export class RequestGuard {
  private readonly sessionsByRequest = new WeakMap<FastifyRequest, Session>();

  constructor(private readonly sessions: SessionStore) {}

  lookup(request: FastifyRequest): SessionLookup {
    return this.sessions.lookup(readCookie(request.headers.cookie, SESSION_COOKIE));
  }

  /** onRequest hook. */
  check = async (request: FastifyRequest): Promise<void> => {
    const path = pathOf(request.url);
    if (!path.startsWith('/api/') || PUBLIC_API.has(path)) return;
    const lookup = this.lookup(request);
    if (lookup.status !== 'valid') throw sessionError(lookup);
    if (WRITE_METHODS.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameToken(token, lookup.session.csrfToken)) {
        throw new DemoError(403, 'csrf', 'Missing or invalid x-csrf-token header.');
      }
    }
    this.sessionsByRequest.set(request, lookup.session);
  };

  sessionOf(request: FastifyRequest): Session {
    const session = this.sessionsByRequest.get(request);
    if (!session) throw new DemoError(401, 'not_logged_in', 'Please log in.');
    return session;
  }
}
