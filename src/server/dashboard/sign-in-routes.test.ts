import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerDashboardAssets } from './assets.ts';
import { dashboardRoutes } from './guard.ts';
import { DashboardSessions, SESSION_COOKIE } from './sessions.ts';
import { registerSignInRoutes } from './sign-in-routes.ts';

const TOKEN = 'the-admin-token-0123456789';

async function app(now: () => number = Date.now) {
  const fastify = Fastify({ logger: false });
  const sessions = new DashboardSessions({ idleMs: 60_000, now });
  const routes = dashboardRoutes(fastify, sessions);
  registerSignInRoutes(fastify, sessions, routes, registerDashboardAssets(fastify), {
    isAdminToken: (presented) => presented === TOKEN,
    maxFailures: 3,
  });
  routes.get('/admin', async (_request, _reply, session) => `csrf=${session.csrfToken}`);
  routes.post('/admin/change', async () => 'changed');
  await fastify.ready();
  return fastify;
}

const signIn = (fastify: Awaited<ReturnType<typeof app>>, token: string) =>
  fastify.inject({ method: 'POST', url: '/admin/sign-in', payload: { token } });

test('the admin token signs in: an HttpOnly, SameSite=Strict cookie on /admin, with a CSRF token', async () => {
  const fastify = await app();
  const answer = await signIn(fastify, TOKEN);
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.headers['hx-redirect'], '/admin');
  const cookie = String(answer.headers['set-cookie']);
  assert.match(
    cookie,
    new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{40,}; Path=/admin; HttpOnly; SameSite=Strict$`),
  );
  const id = cookie.split(';')[0] ?? '';
  const page = await fastify.inject({ url: '/admin', headers: { cookie: id } });
  const csrf = page.body.replace('csrf=', '');
  const change = (headers: Record<string, string>) =>
    fastify.inject({ method: 'POST', url: '/admin/change', headers, payload: {} });
  assert.equal((await change({ cookie: id })).statusCode, 403);
  assert.equal((await change({ cookie: id, 'x-csrf-token': `${csrf}x` })).statusCode, 403);
  assert.equal((await change({ 'x-csrf-token': csrf })).statusCode, 403);
  assert.equal((await change({ cookie: id, 'x-csrf-token': csrf })).body, 'changed');
  // Signing out ends it server-side: the old cookie no longer opens anything.
  await fastify.inject({
    method: 'POST',
    url: '/admin/sign-out',
    headers: { cookie: id, 'x-csrf-token': csrf },
  });
  assert.equal((await fastify.inject({ url: '/admin', headers: { cookie: id } })).statusCode, 303);
});

test('failed sign-ins are limited per address; the right token is not even compared past the limit', async () => {
  const fastify = await app();
  for (let i = 0; i < 3; i++) {
    const wrong = await signIn(fastify, `wrong-${i}`);
    assert.equal(wrong.statusCode, 200);
    assert.match(wrong.body, /not the admin token/);
  }
  const limited = await signIn(fastify, TOKEN);
  assert.equal(limited.statusCode, 429);
  assert.match(limited.body, /Too many failed attempts/);
  assert.equal(limited.headers['set-cookie'], undefined);
});

test('a session ends after its idle time', async () => {
  let now = 1_000_000;
  const fastify = await app(() => now);
  const id = String((await signIn(fastify, TOKEN)).headers['set-cookie']).split(';')[0] ?? '';
  assert.equal((await fastify.inject({ url: '/admin', headers: { cookie: id } })).statusCode, 200);
  now += 59_000;
  assert.equal((await fastify.inject({ url: '/admin', headers: { cookie: id } })).statusCode, 200);
  now += 61_000;
  const expired = await fastify.inject({ url: '/admin', headers: { cookie: id } });
  assert.equal(expired.statusCode, 303);
  assert.equal(expired.headers.location, '/admin/sign-in');
});

test('assets are served from this install with long cache headers', async () => {
  const fastify = await app();
  for (const name of ['htmx.min.js', 'uPlot.iife.min.js', 'uPlot.min.css', 'dashboard.css', 'dashboard.js']) {
    const answer = await fastify.inject({ url: `/admin/assets/${name}` });
    assert.equal(answer.statusCode, 200, name);
    assert.match(String(answer.headers['cache-control']), /max-age=31536000, immutable/);
  }
  assert.equal((await fastify.inject({ url: '/admin/assets/../../package.json' })).statusCode, 404);
});
