/**
 * Signing in and out of the dashboard with the admin token. Failed attempts are counted per client
 * address (rate-limiter-flexible, in memory); past the limit the form says when to try again and
 * the token is not even compared.
 */
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { DashboardAssets } from './assets.ts';
import { type DashboardRoutes, securityHeaders } from './guard.ts';
import { signInForm, signInPage } from './layout.ts';
import type { DashboardSessions } from './sessions.ts';

export interface SignInOptions {
  /** Whether a presented string is the admin token (constant time). */
  isAdminToken: (presented: string) => boolean;
  /** Failed attempts allowed per address per window (default 10 per 15 minutes). */
  maxFailures?: number;
  windowSeconds?: number;
}

const open = { config: { auth: 'public' as const } };

export function registerSignInRoutes(
  app: FastifyInstance,
  sessions: DashboardSessions,
  routes: DashboardRoutes,
  assets: DashboardAssets,
  options: SignInOptions,
): void {
  const failures = new RateLimiterMemory({
    keyPrefix: 'dashboard-sign-in',
    points: options.maxFailures ?? 10,
    duration: options.windowSeconds ?? 15 * 60,
  });

  app.get('/admin/sign-in', open, async (request, reply) => {
    securityHeaders(reply);
    if (sessions.find(request)) return reply.code(303).header('location', '/admin').send('');
    return reply.type('text/html; charset=utf-8').send(signInPage(assets));
  });

  app.post('/admin/sign-in', open, async (request, reply) => {
    securityHeaders(reply).type('text/html; charset=utf-8');
    const limited = await failures.get(request.ip);
    if (limited && limited.remainingPoints <= 0) {
      const seconds = Math.ceil(limited.msBeforeNext / 1000);
      return reply
        .code(429)
        .header('retry-after', String(seconds))
        .send(signInForm(`Too many failed attempts; try again in ${seconds} s.`).text);
    }
    const token = (request.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '' || !options.isAdminToken(token)) {
      try {
        await failures.consume(request.ip);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
      }
      // 200 so htmx swaps the form in with the message.
      return reply.send(signInForm('That is not the admin token.').text);
    }
    await failures.delete(request.ip);
    sessions.start(request, reply);
    return reply.header('hx-redirect', '/admin').send('');
  });

  routes.post('/admin/sign-out', async (request, reply) => {
    sessions.end(request, reply);
    return reply.header('hx-redirect', '/admin/sign-in').send('');
  });
}
