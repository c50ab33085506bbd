import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { DEFAULT_ACCOUNTS, type DemoSite } from '../index.ts';
import { control, readSse, SiteClient, startTestSite } from '../testing/site-client.ts';

type ErrorBody = { error: { code: string; message: string } };

function accountFaults(site: DemoSite, username: string, body?: unknown): Promise<Response> {
  return fetch(`${site.url}/__control/accounts/${encodeURIComponent(username)}/faults`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

async function setAccountFaults(site: DemoSite, username: string, body: unknown): Promise<unknown> {
  const res = await accountFaults(site, username, body);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

/** A send over one of the three routes; the stream (if any) is read to its end. */
async function send(
  client: SiteClient,
  route: 'chat' | 'messages' | 'v2',
  model: string,
): Promise<{ status: number; retryAfter: string | null; code?: string }> {
  const path = { chat: '/api/chat', messages: '/api/messages', v2: '/api/v2/chat' }[route];
  const json =
    route === 'v2' ? { model, messages: [{ role: 'user', content: 'hi' }] } : { model, text: 'hi' };
  const res = await client.request(path, { json });
  const retryAfter = res.headers.get('retry-after');
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const events = await readSse(res);
    assert.equal(events.at(-1)?.event, 'done');
    return { status: res.status, retryAfter };
  }
  const body = (await res.json()) as Partial<ErrorBody>;
  return { status: res.status, retryAfter, ...(body.error ? { code: body.error.code } : {}) };
}

/** The status and JSON body of a refused WebSocket upgrade (0 when it opened). */
function upgrade(site: DemoSite, cookie: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${site.url.replace('http', 'ws')}/api/ws`, {
      headers: { cookie: cookie ?? '' },
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 0, body: '' });
    });
    ws.on('error', () => undefined);
  });
}

describe('seeded accounts', () => {
  test('demo (first), demo-2 and demo-3 can log in with <name>-password', async () => {
    assert.deepEqual(
      DEFAULT_ACCOUNTS.map((account) => account.username),
      ['demo', 'demo-2', 'demo-3'],
    );
    const site = await startTestSite();
    try {
      for (const username of ['demo', 'demo-2', 'demo-3']) {
        const client = await SiteClient.login(site, username, `${username}-password`);
        assert.equal(
          (await client.json<{ user: { username: string } }>('/api/session')).body.user.username,
          username,
        );
      }
    } finally {
      await site.close();
    }
  });
});

describe('per-account fault switches', () => {
  let site: DemoSite;
  let demo: SiteClient;
  let other: SiteClient;
  before(async () => {
    site = await startTestSite({ conversationApi: true });
    demo = await SiteClient.login(site);
    other = await SiteClient.login(site, 'demo-2', 'demo-2-password');
  });
  beforeEach(() => control(site, 'reset', {}));
  after(() => site.close());

  test('the control API: answers {username, faults}, replaces the switches, validates strictly', async () => {
    const set = await setAccountFaults(site, 'demo', { rateLimited: { models: ['text-1'] }, captcha: false });
    assert.deepEqual(set, {
      username: 'demo',
      faults: { rateLimited: { models: ['text-1'] }, captcha: false },
    });
    assert.deepEqual(await (await accountFaults(site, 'demo')).json(), set);
    assert.deepEqual(await setAccountFaults(site, 'demo', { banned: 'spam' }), {
      username: 'demo',
      faults: { banned: 'spam' },
    });
    assert.deepEqual(await setAccountFaults(site, 'demo', { forceLogout: true }), {
      username: 'demo',
      faults: {},
    });
    assert.deepEqual(await (await accountFaults(site, 'demo-2')).json(), { username: 'demo-2', faults: {} });
    assert.deepEqual(site.accountFaults('demo'), {});
    demo = await SiteClient.login(site); // forceLogout ended the session

    for (const bad of [
      { nope: true },
      { rateLimited: { model: 'text-1' } },
      { dailyCap: {} },
      { banned: 3 },
    ]) {
      const res = await accountFaults(site, 'demo', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(((await res.json()) as ErrorBody).error.code, 'bad_request');
    }
    for (const res of [await accountFaults(site, 'nobody', {}), await accountFaults(site, 'nobody')]) {
      assert.equal(res.status, 404);
      const body = (await res.json()) as ErrorBody;
      assert.equal(body.error.code, 'account_not_found');
      assert.match(body.error.message, /nobody/);
    }
  });

  test('rateLimited: 429 rate_limited with Retry-After on every send route, only on the listed models', async () => {
    await setAccountFaults(site, 'demo', { rateLimited: { models: ['text-1'], retryAfterSeconds: 7 } });
    for (const route of ['chat', 'messages', 'v2'] as const) {
      assert.deepEqual(await send(demo, route, 'text-1'), {
        status: 429,
        retryAfter: '7',
        code: 'rate_limited',
      });
      assert.ok([200, 202].includes((await send(demo, route, 'vision-1')).status), `${route} vision-1`);
      assert.ok([200, 202].includes((await send(other, route, 'text-1')).status), `${route} other account`);
    }
    assert.equal((await demo.json('/api/threads')).status, 200, 'other routes are unaffected');

    await setAccountFaults(site, 'demo', { rateLimited: {} });
    for (const model of ['text-1', 'fast-1'])
      assert.deepEqual(await send(demo, 'chat', model), {
        status: 429,
        retryAfter: '30',
        code: 'rate_limited',
      });
    await setAccountFaults(site, 'demo', {});
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200);
  });

  test('dailyCap: each model counted on its own; quota_exceeded until the window resets', async () => {
    await setAccountFaults(site, 'demo', { dailyCap: { models: ['text-1'], limit: 2, resetSeconds: 1 } });
    const opened = Date.now();
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200);
    assert.equal((await send(demo, 'messages', 'text-1')).status, 202);
    assert.deepEqual(await send(demo, 'v2', 'text-1'), {
      status: 429,
      retryAfter: '1',
      code: 'quota_exceeded',
    });
    assert.equal((await send(demo, 'chat', 'fast-1')).status, 200, 'a model outside the list');
    assert.equal((await send(other, 'chat', 'text-1')).status, 200, 'another account');
    // The window opened with the first send and lasts 1 s.
    await delay(Math.max(0, opened + 1100 - Date.now()));
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200, 'after the reset');
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200);
    assert.equal((await send(demo, 'chat', 'text-1')).status, 429);
    assert.ok(Date.now() - opened < 3000, 'took too long for the bound');

    await setAccountFaults(site, 'demo', { dailyCap: { limit: 1 } });
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200, 'a new switch counts afresh');
    assert.equal((await send(demo, 'chat', 'vision-1')).status, 200, 'counted per model');
    const refused = await send(demo, 'chat', 'vision-1');
    assert.equal(refused.code, 'quota_exceeded');
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    const expected = Math.ceil((midnight.getTime() - Date.now()) / 1000);
    assert.ok(
      Math.abs(Number(refused.retryAfter) - expected) <= 2,
      `Retry-After ${refused.retryAfter} vs ${expected}`,
    );
  });

  test('banned: login 403, every API 403 account_banned, the app page is the suspended page, no WebSocket', async () => {
    await setAccountFaults(site, 'demo', { banned: 'too many requests from a datacenter' });
    const login = await new SiteClient(site).login('demo', 'demo-password');
    assert.equal(login.status, 403);
    const loginBody = (await login.json()) as ErrorBody;
    assert.equal(loginBody.error.code, 'account_banned');
    assert.match(loginBody.error.message, /too many requests from a datacenter/);
    assert.equal(
      (await new SiteClient(site).login('demo', 'wrong')).status,
      401,
      'bad password is still 401',
    );

    for (const [path, json] of [
      ['/api/session', undefined],
      ['/api/threads', undefined],
      ['/api/chat', { model: 'text-1', text: 'x' }],
      ['/api/auth/logout', {}],
    ] as const) {
      const res = await demo.json<ErrorBody>(path, json === undefined ? {} : { json });
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error.code, 'account_banned', path);
      assert.match(res.body.error.message, /suspended: too many requests from a datacenter/);
    }
    const page = await demo.request('/');
    assert.equal(page.status, 403);
    const html = await page.text();
    assert.match(html, /data-testid="account-banned"/);
    assert.match(html, /account suspended/i);
    const ws = await upgrade(site, demo.cookie);
    assert.equal(ws.status, 403);
    assert.equal((JSON.parse(ws.body) as ErrorBody).error.code, 'account_banned');

    assert.equal((await send(other, 'chat', 'text-1')).status, 200, 'another account');
    assert.equal((await other.request('/')).status, 200);
    assert.equal((await upgrade(site, other.cookie)).status, 0);

    await setAccountFaults(site, 'demo', { banned: true });
    assert.equal(
      (await demo.json<ErrorBody>('/api/threads')).body.error.message,
      'This account has been suspended.',
    );
    await setAccountFaults(site, 'demo', {});
    assert.equal((await demo.json('/api/threads')).status, 200, 'the session works again once unbanned');
  });

  test('captcha: the interstitial for that account only (its session and its login)', async () => {
    await setAccountFaults(site, 'demo', { captcha: true });
    const api = await demo.json<ErrorBody>('/api/threads');
    assert.equal(api.status, 403);
    assert.equal(api.body.error.code, 'challenge');
    const page = await demo.request('/');
    assert.equal(page.status, 403);
    assert.match(await page.text(), /<title>Just a moment…<\/title>/);
    const login = await new SiteClient(site).login('demo', 'demo-password');
    assert.equal(login.status, 403);
    assert.equal(((await login.json()) as ErrorBody).error.code, 'challenge');
    assert.equal((await upgrade(site, demo.cookie)).status, 403);

    assert.equal((await other.json('/api/threads')).status, 200);
    assert.equal((await other.request('/')).status, 200);
    assert.equal((await new SiteClient(site).login('demo-2', 'demo-2-password')).status, 200);
    await setAccountFaults(site, 'demo', {});
    assert.equal((await demo.json('/api/threads')).status, 200);
  });

  test("forceLogout ends that account's sessions once; other accounts stay logged in", async () => {
    const second = await SiteClient.login(site);
    await setAccountFaults(site, 'demo', { forceLogout: true });
    for (const client of [demo, second]) {
      const res = await client.json<ErrorBody>('/api/session');
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'not_logged_in');
    }
    assert.equal((await other.json('/api/session')).status, 200);
    demo = await SiteClient.login(site);
    assert.equal((await demo.json('/api/session')).status, 200, 'not kept: the next login works');
  });

  test('POST /__control/reset clears every account’s switches and counters', async () => {
    await setAccountFaults(site, 'demo', { dailyCap: { limit: 1 } });
    await setAccountFaults(site, 'demo-2', { banned: true });
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200);
    assert.equal((await send(demo, 'chat', 'text-1')).status, 429);
    await control(site, 'reset', {});
    assert.deepEqual(await (await accountFaults(site, 'demo')).json(), { username: 'demo', faults: {} });
    assert.equal((await send(demo, 'chat', 'text-1')).status, 200);
    assert.equal((await other.json('/api/threads')).status, 200);
  });
});
