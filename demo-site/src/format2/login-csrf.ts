import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { readCookie } from '../auth/cookies.ts';
import { pathOf } from '../auth/guard.ts';
import { DemoError } from '../errors.ts';

/** The cookie and header a login needs when `loginCsrf` is on (a token fetched with a `GET` first). */
export const LOGIN_CSRF_COOKIE = 'demo_login_csrf';
export const LOGIN_CSRF_HEADER = 'x-login-token';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Option `loginCsrf`: like apps with session-bound CSRF, `POST /api/auth/login` is refused (403
 * `invalid_csrf`) unless it carries the token from `GET /auth/csrf` in `x-login-token` together
 * with the cookie that GET set.
 */
export function registerLoginCsrf(app: FastifyInstance): void {
  app.get('/auth/csrf', async (_request, reply) => {
    const token = randomBytes(18).toString('base64url');
    return reply
      .header('set-cookie', `${LOGIN_CSRF_COOKIE}=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=600`)
      .header('cache-control', 'no-store')
      .send({ csrfToken: token });
  });
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || pathOf(request.url) !== '/api/auth/login') return;
    const cookie = readCookie(request.headers.cookie, LOGIN_CSRF_COOKIE);
    const header = request.headers[LOGIN_CSRF_HEADER];
    if (cookie === undefined || typeof header !== 'string' || !same(cookie, header))
      throw new DemoError(403, 'invalid_csrf', 'invalid csrf token');
  });
}
