import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { routesOf } from '../../src/server/route-index.ts';
import {
  ADMIN_TOKEN,
  type InProcessGateway,
  OWNER_KEY,
  startInProcessGateway,
  USER_KEY,
} from '../support/in-process-gateway.ts';

/** Routes anyone may call, each with why. Everything else must refuse an anonymous caller. */
const PUBLIC_ROUTES = new Map([
  ['GET /healthz', 'liveness probe'],
  ['HEAD /healthz', 'liveness probe'],
  ['GET /readyz', 'readiness probe (no detail beyond check names)'],
  ['HEAD /readyz', 'readiness probe'],
  // The viewer page checks its own one-time ticket or the admin header (see register-remote-login).
  ['GET /admin/remote-login/:accountId', 'viewer page'],
  ['HEAD /admin/remote-login/:accountId', 'viewer page'],
]);

/**
 * The admin dashboard's routes are public at the route hook (no header opens them) and check their
 * own session cookie and CSRF token (src/server/dashboard/guard.ts); proven in the test below.
 */
const isDashboardRoute = (url: string) =>
  url === '/admin' ||
  (url.startsWith('/admin/') && !url.startsWith('/admin/api/') && !url.startsWith('/admin/remote-login/'));
/** Dashboard routes anyone may call: the sign-in form and the static files (htmx, uPlot, CSS). */
const DASHBOARD_OPEN = new Set([
  'GET /admin/sign-in',
  'HEAD /admin/sign-in',
  'POST /admin/sign-in',
  'GET /admin/assets/:name',
  'HEAD /admin/assets/:name',
]);

/** A concrete path for a route pattern. */
function concrete(url: string): string {
  return url.replace(':accountId', 'person').replace(':id', 'usr_x').replace('*', 'demo/text-1');
}

const encodeAll = (path: string) =>
  path.replace(/[a-z0-9]/gi, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Other spellings of the same path an attacker might try. */
function spellings(path: string): string[] {
  const [first, ...rest] = path.slice(1).split('/');
  return [
    path,
    `${path}/`,
    encodeAll(path),
    `/${first?.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}/${rest.join('/')}`,
    path.replace(/\d/, (d) => `%3${d}`),
    path.replace(/\//g, '//'),
    `/${path}`,
    path.toUpperCase(),
    `${path}.`,
    `${path};a=b`,
    path.replace(/\/([^/]*)$/, ';x=1/$1'),
    path.replace(/\/([^/]*)$/, '%2F$1'),
    `${path}%00`,
    `${path}?key=${OWNER_KEY}`,
  ];
}

describe('route auth: every registered route is public or refuses anonymous callers', () => {
  let gateway: InProcessGateway;
  before(async () => {
    gateway = await startInProcessGateway();
  });
  after(async () => gateway.close());

  test('every route declares its auth; only the listed ones are public', () => {
    const routes = routesOf(gateway.app);
    assert.ok(routes.length >= 10, `found only ${routes.length} routes`);
    for (const route of routes) {
      const name = `${route.method} ${route.url}`;
      assert.ok(route.auth !== undefined, `${name} declares no auth`);
      if (route.auth === 'public' && !isDashboardRoute(route.url)) {
        assert.ok(PUBLIC_ROUTES.has(name), `${name} is public but not listed`);
      }
    }
  });

  test('anonymous callers are refused on every route under every spelling, before any work', async () => {
    const routes = routesOf(gateway.app).filter((route) => route.auth !== 'public');
    let tried = 0;
    for (const route of routes) {
      for (const url of spellings(concrete(route.url))) {
        for (const anonymous of [{}, { authorization: 'Bearer wrong-key-0123456789' }]) {
          const answer = await gateway.app.inject({
            method: route.method as InjectOptions['method'],
            url,
            headers: { ...anonymous, 'content-type': 'application/x-www-form-urlencoded' },
            ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { payload: 'model=demo%2Ftext-1' }),
          });
          tried++;
          const where = `${route.method} ${url} → ${answer.statusCode} ${answer.body}`;
          assert.ok([400, 401, 404, 405].includes(answer.statusCode), where);
          if (url === concrete(route.url)) assert.equal(answer.statusCode, 401, where);
          if (route.method !== 'HEAD') assert.ok(isErrorShape(answer.json()), where);
        }
      }
    }
    assert.ok(tried > 200);
  });

  test('dashboard routes refuse callers without a session: pages go to sign-in, changes are 403', async () => {
    const routes = routesOf(gateway.app).filter(
      (route) => isDashboardRoute(route.url) && !DASHBOARD_OPEN.has(`${route.method} ${route.url}`),
    );
    assert.ok(routes.length >= 15, `found only ${routes.length} dashboard routes`);
    for (const route of routes) {
      for (const headers of [
        {},
        { authorization: `Bearer ${ADMIN_TOKEN}` },
        { 'x-api-key': OWNER_KEY },
        { cookie: 'wcg_admin=forged' },
      ]) {
        const answer = await gateway.app.inject({
          method: route.method as InjectOptions['method'],
          url: concrete(route.url),
          headers: { ...headers, 'content-type': 'application/json' },
          ...(route.method === 'POST' ? { payload: '{}' } : {}),
        });
        const where = `${route.method} ${route.url} → ${answer.statusCode}`;
        if (route.method === 'POST') assert.equal(answer.statusCode, 403, where);
        else {
          assert.equal(answer.statusCode, 303, where);
          assert.equal(answer.headers.location, '/admin/sign-in', where);
        }
      }
    }
  });

  test('admin routes take the owner key only, from a header', async () => {
    const ticket = (headers: Record<string, string>) =>
      gateway.app.inject({ method: 'POST', url: '/admin/remote-login/person/ticket', headers });
    assert.equal((await ticket({})).statusCode, 401);
    assert.equal((await ticket({ authorization: `Bearer ${USER_KEY}` })).statusCode, 401);
    assert.equal((await ticket({ 'x-api-key': OWNER_KEY })).statusCode, 201);
    const viewer = await gateway.app.inject({ url: `/admin/remote-login/person?key=${OWNER_KEY}` });
    assert.equal(viewer.statusCode, 401);
  });

  test('the admin API takes the admin token only: never an API key, the owner’s included', async () => {
    const users = (headers: Record<string, string>) =>
      gateway.app.inject({ url: '/admin/api/users', headers });
    assert.equal((await users({})).statusCode, 401);
    assert.equal((await users({ authorization: `Bearer ${OWNER_KEY}` })).statusCode, 401);
    assert.equal((await users({ 'x-api-key': USER_KEY })).statusCode, 401);
    assert.equal((await users({ authorization: `Bearer ${ADMIN_TOKEN}` })).statusCode, 200);
    const setup = (site: string) =>
      gateway.app.inject({
        method: 'POST',
        url: `/admin/api/sites/${site}/setup`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    // The demo adapter has no recipe setup steps; an unknown site is not found.
    assert.equal((await setup('demo')).statusCode, 400);
    assert.equal((await setup('nope')).statusCode, 404);
    const spelled = await gateway.app.inject({
      url: '/%61dmin/api/users',
      headers: { authorization: `Bearer ${OWNER_KEY}` },
    });
    assert.equal(spelled.statusCode, 401);
  });

  test('a key opens the API routes under the decoded spelling too', async () => {
    const models = await gateway.app.inject({
      url: '/%761/models',
      headers: { authorization: `Bearer ${USER_KEY}` },
    });
    assert.equal(models.statusCode, 200);
    const anthropic = await gateway.app.inject({
      method: 'POST',
      url: '/v%31/messages/count_tokens',
      headers: { 'content-type': 'text/plain' },
      payload: '{}',
    });
    assert.equal(anthropic.statusCode, 401);
    // The dialect follows the matched route, whatever the spelling.
    assert.equal(anthropic.json().type, 'error');
  });
});

describe('an anonymous request with image URLs never reaches them', () => {
  let gateway: InProcessGateway;
  let images: Server;
  let hits = 0;
  let imageUrl = '';
  before(async () => {
    images = createServer((_request, response) => {
      hits++;
      response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(64));
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/image.png`;
    // Loopback allowed, so a keyed request would fetch it: the refusal below is the auth's doing.
    gateway = await startInProcessGateway({ allowCidrs: ['127.0.0.0/8'] });
  });
  after(async () => {
    await gateway.close();
    await new Promise((resolve) => images.close(resolve));
  });

  const body = (count: number) => ({
    model: 'demo/vision-1',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'describe' },
          ...Array.from({ length: count }, (_, i) => ({
            type: 'image_url',
            image_url: { url: `${imageUrl}?${i}` },
          })),
        ],
      },
    ],
  });

  test('no key: 401 under every spelling, and the image server sees nothing', async () => {
    for (const url of ['/v1/chat/completions', '/%761/chat/completions', '/v%31/chat/completions']) {
      const answer = await gateway.app.inject({ method: 'POST', url, payload: body(32) });
      assert.equal(answer.statusCode, 401, `${url}: ${answer.body}`);
    }
    assert.equal(hits, 0);
  });

  test('control: with a key the same request does fetch the image', async () => {
    await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${USER_KEY}` },
      payload: body(1),
    });
    assert.equal(hits, 1);
  });
});

function isErrorShape(body: unknown): boolean {
  const value = body as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  return typeof value?.error?.message === 'string' && typeof value.error.type === 'string';
}
