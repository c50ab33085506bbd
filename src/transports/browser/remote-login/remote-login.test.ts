import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { type DemoSite, startDemoSite } from '../../../../demo-site/src/index.ts';
import { createLogger } from '../../../core/logger.ts';
import { DemoSiteAdapter } from '../../../sites/demo/demo-site-adapter.ts';
import { type Browser, launchChromium, type Page } from '../browser-library.ts';
import { BrowserManager } from '../browser-manager.ts';
import { chromiumArgs } from '../chromium-args.ts';
import { findChromium } from '../find-chromium.ts';
import { InPageFetchTransport } from '../in-page-fetch-transport.ts';
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
      isAdminKey: (key) => key === ADMIN_KEY,
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

  after(async () => {
    await personBrowser?.close();
    await app?.close();
    await manager?.close();
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the viewer needs the admin key and a known account', async () => {
    assert.equal((await fetch(`${gateway}/admin/remote-login/person`)).status, 401);
    assert.equal((await fetch(`${gateway}/admin/remote-login/person?key=wrong`)).status, 401);
    assert.equal((await fetch(`${gateway}/admin/remote-login/nobody?key=${ADMIN_KEY}`)).status, 404);
    const ok = await fetch(`${gateway}/admin/remote-login/person`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');
    // The stream refuses a connection without a valid ticket.
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(
        `${gateway.replace('http', 'ws')}/admin/remote-login/person/ws?ticket=forged`,
      );
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('a forged ticket was let in')));
      socket.on('error', () => undefined);
    });
    assert.equal(status, 401);
  });

  test('a person logs the account in through the viewer; the session is saved and used', {
    timeout: 45_000,
  }, async () => {
    const person = await (
      await personBrowser.newContext({ viewport: { width: 1000, height: 700 } })
    ).newPage();
    await person.goto(`${gateway}/admin/remote-login/person?key=${ADMIN_KEY}`);
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
    await second.goto(`${gateway}/admin/remote-login/person?key=${ADMIN_KEY}`);
    await waitForFrames(second, 1, 3000);
    await second.context().close();
    await person.context().close();
  });
});

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
