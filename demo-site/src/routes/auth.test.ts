import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DemoSite } from '../index.ts';
import { SiteClient, startTestSite } from '../testing/site-client.ts';

describe('login, session, CSRF, logout', () => {
  let site: DemoSite;
  before(async () => {
    site = await startTestSite({
      accounts: [
        { username: 'demo', password: 'demo-password' },
        { username: 'ana', password: 'ana-secret' },
      ],
    });
  });
  after(() => site.close());

  test('the login page has the documented form fields', async () => {
    const res = await fetch(`${site.url}/login`);
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const needle of ['id="username"', 'id="password"', 'type="submit"', 'data-testid="login-button"']) {
      assert.ok(html.includes(needle), needle);
    }
  });

  test('the app redirects to /login without a session', async () => {
    const res = await fetch(`${site.url}/`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/login');
  });

  test('wrong credentials are a 401 bad_credentials; unknown users too', async () => {
    const client = new SiteClient(site);
    for (const [user, pass] of [
      ['demo', 'nope'],
      ['nobody', 'demo-password'],
    ] as const) {
      const res = await client.login(user, pass);
      assert.equal(res.status, 401);
      assert.deepEqual((await res.json()).error.code, 'bad_credentials');
    }
    assert.equal(client.cookie, undefined);
  });

  test('login needs a JSON body', async () => {
    const res = await fetch(`${site.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=demo&password=demo-password',
    });
    assert.equal(res.status, 415);
    assert.equal((await res.json()).error.code, 'unsupported_media_type');
  });

  test('login sets an HttpOnly, SameSite=Lax session cookie with Max-Age', async () => {
    const res = await fetch(`${site.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo', password: 'demo-password' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { user: { username: 'demo' } });
    const cookie = res.headers.getSetCookie()[0] ?? '';
    assert.match(cookie, /^demo_session=[^;]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=3600$/);
  });

  test('the app page carries a CSRF token bound to the session', async () => {
    const a = await SiteClient.login(site);
    const b = await SiteClient.login(site);
    assert.ok(a.csrfToken && b.csrfToken);
    assert.notEqual(a.csrfToken, b.csrfToken);
    const session = await a.json<{ user: { username: string }; expiresAt: string }>('/api/session');
    assert.equal(session.status, 200);
    assert.equal(session.body.user.username, 'demo');
    assert.ok(Date.parse(session.body.expiresAt) > Date.now());
    // b's token does not work with a's cookie
    const crossed = await a.json('/api/threads', {
      json: {},
      headers: { 'x-csrf-token': b.csrfToken },
      csrf: false,
    });
    assert.equal(crossed.status, 403);
  });

  test('writes without or with a wrong CSRF token are 403 csrf', async () => {
    const client = await SiteClient.login(site);
    const missing = await client.json<{ error: { code: string } }>('/api/threads', { json: {}, csrf: false });
    assert.equal(missing.status, 403);
    assert.equal(missing.body.error.code, 'csrf');
    const wrong = await client.json('/api/threads', {
      json: {},
      csrf: false,
      headers: { 'x-csrf-token': 'x' },
    });
    assert.equal(wrong.status, 403);
    const ok = await client.json('/api/threads', { json: {} });
    assert.equal(ok.status, 201);
  });

  test('every /api route wants a session', async () => {
    for (const path of ['/api/session', '/api/models', '/api/threads', '/api/files/x', '/api/nope']) {
      const res = await fetch(`${site.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.equal((await res.json()).error.code, 'not_logged_in');
    }
  });

  test('logout destroys the session', async () => {
    const client = await SiteClient.login(site);
    const res = await client.request('/api/auth/logout', { method: 'POST' });
    assert.equal(res.status, 204);
    assert.match(res.headers.getSetCookie()[0] ?? '', /Max-Age=0/);
    const after = await client.json<{ error: { code: string } }>('/api/session');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'not_logged_in');
  });

  test('accounts are separate: threads of one are invisible to the other', async () => {
    const demo = await SiteClient.login(site);
    const ana = await SiteClient.login(site, 'ana', 'ana-secret');
    const created = await demo.json<{ thread: { id: string } }>('/api/threads', {
      json: { title: 'private' },
    });
    const seen = await ana.json(`/api/threads/${created.body.thread.id}`);
    assert.equal(seen.status, 404);
  });
});

describe('session expiry', () => {
  test('an expired session says session_expired and the page sends you to /login', async () => {
    const site = await startTestSite({ sessionTtlSeconds: 1 });
    try {
      const client = await SiteClient.login(site);
      assert.equal((await client.json('/api/session')).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await client.json<{ error: { code: string } }>('/api/session');
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'session_expired');
      const page = await client.request('/');
      assert.equal(page.status, 302);
      assert.equal(page.headers.get('location'), '/login');
      // logging in again works
      const again = await SiteClient.login(site);
      assert.equal((await again.json('/api/session')).status, 200);
    } finally {
      await site.close();
    }
  });
});

describe('instances', () => {
  test('two sites in one process share nothing', async () => {
    const [a, b] = await Promise.all([
      startTestSite(),
      startTestSite({ accounts: [{ username: 'x', password: 'y' }] }),
    ]);
    try {
      const client = await SiteClient.login(a);
      const onB = new SiteClient(b);
      onB.cookie = client.cookie;
      assert.equal((await onB.json('/api/session')).status, 401);
      assert.equal((await new SiteClient(b).login('demo', 'demo-password')).status, 401);
      a.setFaults({ captcha: true });
      assert.equal((await fetch(`${b.url}/login`)).status, 200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
