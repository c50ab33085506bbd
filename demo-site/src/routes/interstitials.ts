import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE } from '../auth/cookies.ts';
import { pathOf } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { DemoError, errorBody } from '../errors.ts';
import type { Pages } from '../pages.ts';

export const CHALLENGE_MESSAGE = 'Complete the challenge in a browser to continue.';

/** The 403 `challenge` the JSON APIs answer while a captcha is up (global or for one account). */
export function challengeError(): DemoError {
  return new DemoError(403, 'challenge', CHALLENGE_MESSAGE);
}

function sendChallenge(path: string, reply: FastifyReply, pages: Pages): FastifyReply {
  if (path.startsWith('/api/')) return reply.code(403).send(errorBody('challenge', CHALLENGE_MESSAGE));
  return reply
    .code(403)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(pages.challenge);
}

/**
 * onRequest hook, before the session and CSRF guard. In this order: the global captcha (every
 * path), then, for a request carrying a valid session, that account's captcha (every path) and
 * its ban (`/api/*` → 403 `account_banned`, the app pages `/` and `/login` → the suspended page).
 * `/__control/*` is never affected; the login POST is judged by its username in the route instead.
 */
export function interstitialHook(ctx: SiteContext, pages: Pages) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    if (path.startsWith('/__control/')) return;
    if (ctx.faults.captcha) return sendChallenge(path, reply, pages);
    if (path === '/api/auth/login') return;
    const lookup = ctx.sessions.lookup(readCookie(request.headers.cookie, SESSION_COOKIE));
    if (lookup.status !== 'valid') return;
    const { username } = lookup.session;
    if (ctx.accountFaults.captcha(username)) return sendChallenge(path, reply, pages);
    const banned = ctx.accountFaults.bannedError(username);
    if (!banned) return;
    if (path.startsWith('/api/')) throw banned;
    if (request.method === 'GET' && (path === '/' || path === '/login')) {
      return reply
        .code(403)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(pages.suspended(banned.message));
    }
  };
}
