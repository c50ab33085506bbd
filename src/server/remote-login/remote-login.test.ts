import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { presentedKey } from '../../auth/api-key-registry.ts';
import { createLogger } from '../../core/logger.ts';
import { DemoSiteAdapter } from '../../sites/demo/demo-site-adapter.ts';
import { type Browser, launchChromium, type Page } from '../../transports/browser/browser-library.ts';
import { BrowserManager } from '../../transports/browser/browser-manager.ts';
import { chromiumArgs } from '../../transports/browser/chromium-args.ts';
import { findChromium } from '../../transports/browser/find-chromium.ts';
import { InPageFetchTransport } from '../../transports/browser/in-page-fetch-transport.ts';
import { type RemoteLogin, registerRemoteLogin } from './register-remote-login.ts';

const ADMIN_KEY = 'admin-key-for-remote-login-tests';
const logger = createLogger('silent');

describe('remote login viewer (real Chromium, a second browser as the person)', { timeout: 120_000 }, () => {
  let demo: DemoSite;
  let dataDir: string;
  let manager: BrowserManager;
  let app: FastifyInstance;
  let remoteLogin: RemoteLogin;
  let gateway: string;
  let personBrowser: Browser;
  const loggedIn: string[] = [];

  before(async () => {
    demo = await startDemoSite({ control: true });
    dataDir = await mkdtemp(join(tmpdir(), 'gateway-remote-login-'));
    manager = new BrowserManager({ dataDir, logger });
    manager.account('person', { homeUrl: `${demo.url}/` });
    app = Fastify({ logger: false });
    remoteLogin = registerRemoteLogin(app, manager, {
      isAdmin: (request) => presentedKey(request.headers) === ADMIN_KEY,
      onLoggedIn: (accountId) => {
        loggedIn.push(accountId);
      },
      logger,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    gateway = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    personBrowser = await launchChromium({
      executablePath: findChromium(),
      headless: true,
      args: chromiumArgs(),
      timeoutMs: 30_000,
    });
  });

  const ticketFor = (accountId: string) =>
    fetch(`${gateway}/admin/remote-login/${accountId}/ticket`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });

  after(async () => {
    await personBrowser?.close();
    await app?.close();
    await manager?.close();
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the viewer needs the admin key in a header or a one-time ticket, and a known account', async () => {
    const anonymous = await fetch(`${gateway}/admin/remote-login/person`);
    assert.equal(anonymous.status, 401);
    assert.match(await anonymous.text(), /data-testid="admin-key"/);
    // The key is never taken from the URL.
    assert.equal((await fetch(`${gateway}/admin/remote-login/person?key=${ADMIN_KEY}`)).status, 401);
    assert.equal(
      (await fetch(`${gateway}/admin/remote-login/person/ticket`, { method: 'POST' })).status,
      401,
    );
    const wrongKey = await fetch(`${gateway}/admin/remote-login/person/ticket`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
    });
    assert.equal(wrongKey.status, 401);
    assert.equal((await ticketFor('nobody')).status, 404);
    const ok = await fetch(`${gateway}/admin/remote-login/person`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');

    // A page ticket opens the page once.
    const { url } = (await (await ticketFor('person')).json()) as { url: string };
    assert.equal((await fetch(`${gateway}${url}`)).status, 200);
    assert.equal((await fetch(`${gateway}${url}`)).status, 401);
    const other = (await (await ticketFor('person')).json()) as { url: string };
    assert.equal((await fetch(`${gateway}${other.url.replace('/person?', '/nobody?')}`)).status, 401);

    // The stream refuses a forged ticket, and a real one from another origin.
    const page = await (
      await fetch(`${gateway}/admin/remote-login/person`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
    ).text();
    const socketPath = /"socketPath":"([^"]+)"/.exec(page)?.[1];
    assert.ok(socketPath);
    const ws = gateway.replace('http', 'ws');
    assert.equal(await upgradeStatus(`${ws}/admin/remote-login/person/ws?ticket=forged`, gateway), 401);
    assert.equal(await upgradeStatus(`${ws}${socketPath}`, 'https://evil.example'), 403);
    assert.equal(await upgradeStatus(`${ws}${socketPath}`, undefined), 403);
  });

  test('a person logs the account in through the viewer; the session is saved and used', {
    timeout: 45_000,
  }, async () => {
    const person = await (
      await personBrowser.newContext({ viewport: { width: 1000, height: 700 } })
    ).newPage();
    await person.goto(`${gateway}/admin/remote-login/person`);
    // The person types the key into the page's form; it travels in a header, never in the URL.
    await person.fill('[data-testid="admin-key"]', ADMIN_KEY);
    await person.press('[data-testid="admin-key"]', 'Enter');
    await waitForFrames(person, 1);

    const remote = (await remoteLogin.session('person'))?.page;
    assert.ok(remote);
    await remote.waitForSelector('#username');
    assert.equal(new URL(remote.url()).pathname, '/login');

    await clickOnRemote(person, remote, '#username');
    await person.keyboard.type('demo');
    await clickOnRemote(person, remote, '#password');
    await person.keyboard.type('demo-password');
    await person.keyboard.press('Enter');
    await remote.waitForURL((url) => url.pathname === '/', { timeout: 15_000 });
    assert.equal(demo.stats().logins, 1);

    // What the person sees follows: the app page is streamed to the viewer too.
    await person.waitForFunction(
      () => document.getElementById('url')?.textContent?.endsWith('/'),
      undefined,
      {
        timeout: 10_000,
      },
    );

    await person.click('[data-testid="viewer-done"]');
    await person.waitForFunction(
      () => document.querySelector('[data-testid="viewer-status"]')?.textContent === 'session saved',
      undefined,
      { timeout: 10_000 },
    );
    assert.deepEqual(loggedIn, ['person']);
    const saved = JSON.parse(await readFile(join(dataDir, 'person', 'storage-state.json'), 'utf8')) as {
      cookies: Array<{ name: string }>;
    };
    assert.ok(saved.cookies.some((cookie) => cookie.name === 'demo_session'));

    // The gateway now uses that session without logging in itself.
    const site = new DemoSiteAdapter({
      id: 'demo',
      baseUrl: demo.url,
      credentials: { username: 'unused', password: 'unused' },
      streaming: 'sse',
      transport: new InPageFetchTransport({
        account: manager.account('person', { homeUrl: `${demo.url}/` }),
        logger,
      }),
      logger,
    });
    assert.deepEqual(await site.checkSession(AbortSignal.timeout(10_000)), { state: 'ok', user: 'unused' });
    await site.close();
    assert.equal(demo.stats().logins, 1);

    // A second viewer sees the page at once: the newest frame is re-sent to newcomers.
    const second = await (await personBrowser.newContext()).newPage();
    await second.goto(`${gateway}${((await (await ticketFor('person')).json()) as { url: string }).url}`);
    await waitForFrames(second, 1, 3000);
    await second.context().close();
    await person.context().close();
  });
});

/** The status an upgrade gets (0 when it was let in). */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise<number>((resolve) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => {
      socket.close();
      resolve(0);
    });
    socket.on('error', () => undefined);
  });
}

async function waitForFrames(page: Page, count: number, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.querySelector('canvas')?.dataset.frames ?? 0) >= n,
    count,
    { timeout },
  );
}

/** Clicks, in the viewer, where the element appears in the remote page (what a person aims at). */
async function clickOnRemote(person: Page, remote: Page, selector: string): Promise<void> {
  const target = await remote.locator(selector).boundingBox();
  const canvas = await person.locator('canvas').boundingBox();
  const size = await person.locator('canvas').evaluate((element) => ({
    width: Number((element as HTMLCanvasElement).dataset.pageWidth),
    height: Number((element as HTMLCanvasElement).dataset.pageHeight),
  }));
  assert.ok(target && canvas && size.width > 0);
  const x = canvas.x + ((target.x + target.width / 2) / size.width) * canvas.width;
  const y = canvas.y + ((target.y + target.height / 2) / size.height) * canvas.height;
  await person.mouse.click(x, y);
}
