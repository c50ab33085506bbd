import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { type HttpProxyServer, startHttpProxy } from '../../../test/support/http-proxy-server.ts';
import { type Socks5Server, startSocks5Server } from '../../../test/support/socks5-server.ts';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { BrowserManager } from './browser-manager.ts';

const logger = createLogger('silent');

describe('a browser account behind a proxy (real Chromium, loopback proxies)', { timeout: 90_000 }, () => {
  let demo: DemoSite;
  let dataDir: string;
  let manager: BrowserManager;
  let httpProxy: HttpProxyServer;
  let socks: Socks5Server;

  before(async () => {
    demo = await startDemoSite();
    dataDir = await mkdtemp(join(tmpdir(), 'gateway-proxy-'));
    manager = new BrowserManager({ dataDir, logger });
    [httpProxy, socks] = await Promise.all([
      startHttpProxy({ auth: { username: 'acct', password: 'p@ss' } }),
      startSocks5Server(),
    ]);
  });

  after(async () => {
    await manager?.close();
    await Promise.all([httpProxy?.close(), socks?.close(), demo?.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function loadThrough(accountId: string, proxy: string): Promise<void> {
    const account = manager.account(accountId, { homeUrl: `${demo.url}/login`, proxy });
    const lease = await account.acquirePage();
    try {
      assert.match(await lease.page.title(), /./);
      // The page's own requests (an in-page fetch) go the same way.
      const status = await lease.page.evaluate(() =>
        fetch('/api/session').then((response) => response.status),
      );
      assert.ok(status > 0);
    } finally {
      await lease.discard();
    }
  }

  test('an HTTP proxy with Basic auth carries the page and its fetches (loopback included)', {
    timeout: 30_000,
  }, async () => {
    const relayed = httpProxy.relayed;
    await loadThrough('via-http', httpProxy.url);
    assert.ok(httpProxy.relayed >= relayed + 2, `relayed ${httpProxy.relayed - relayed}`);
  });

  test('a SOCKS5 proxy carries the page', { timeout: 30_000 }, async () => {
    const relayed = socks.relayed;
    await loadThrough('via-socks', socks.url);
    assert.ok(socks.relayed > relayed);
  });

  test('a context without a proxy still goes direct', { timeout: 30_000 }, async () => {
    const before = [httpProxy.relayed, socks.relayed];
    const lease = await manager.account('direct', { homeUrl: `${demo.url}/login` }).acquirePage();
    await lease.discard();
    assert.deepEqual([httpProxy.relayed, socks.relayed], before);
  });

  test('a SOCKS5 proxy with credentials is refused up front (Chromium cannot log in to one)', () => {
    assert.throws(
      () =>
        manager.account('socks-auth', { homeUrl: `${demo.url}/`, proxy: 'socks5://u:secret@127.0.0.1:1080' }),
      (error: unknown) =>
        error instanceof Error &&
        /Chromium cannot log in to a SOCKS5 proxy \(socks5:\/\/u:\*\*\*@127\.0\.0\.1:1080\)/.test(
          error.message,
        ) &&
        !error.message.includes('secret'),
    );
  });

  test('an unreachable proxy: the page fails to open, naming the proxy (password masked)', {
    timeout: 30_000,
  }, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const account = manager.account('dead-proxy', {
      homeUrl: `${demo.url}/login`,
      proxy: `http://acct:hunter2@127.0.0.1:${port}`,
      navigationTimeoutMs: 10_000,
    });
    await assert.rejects(account.acquirePage(), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.ok(error.message.includes(`through the proxy http://acct:***@127.0.0.1:${port}`), error.message);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
