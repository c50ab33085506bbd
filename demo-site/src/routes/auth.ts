import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../auth/cookies.ts';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { DemoError } from '../errors.ts';
import { challengeError } from './interstitials.ts';
import { parseBody } from './parse-body.ts';

const LoginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) });

export function registerAuthRoutes(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  app.post('/api/auth/login', async (request, reply) => {
    const type = request.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      throw new DemoError(415, 'unsupported_media_type', 'Send the login as application/json.');
    }
    const { username, password } = parseBody(LoginBody, request.body);
    // Per-account switches: the captcha comes before the password check, the ban after it.
    if (ctx.accountFaults.captcha(username)) throw challengeError();
    if (!(await ctx.accounts.verify(username, password))) {
      throw new DemoError(401, 'bad_credentials', 'Wrong username or password.');
    }
    const banned = ctx.accountFaults.bannedError(username);
    if (banned) throw banned;
    const session = ctx.sessions.create(username);
    ctx.stats.increment('logins');
    ctx.log.info({ username }, 'login');
    return reply
      .header('set-cookie', sessionCookie(session.id, ctx.options.sessionTtlSeconds))
      .send({ user: { username } });
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id !== undefined) ctx.sessions.destroy(id);
    return reply.header('set-cookie', clearedSessionCookie()).code(204).send();
  });

  app.get('/api/session', async (request) => {
    const session = guard.sessionOf(request);
    return { user: { username: session.username }, expiresAt: new Date(session.expiresAt).toISOString() };
  });
}
