import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { DemoSiteAdapter } from '../../sites/demo/demo-site-adapter.ts';
import { BrowserManager, type BrowserManagerOptions } from './browser-manager.ts';
import { ChromiumNotFoundError } from './find-chromium.ts';
import { InPageFetchTransport } from './in-page-fetch-transport.ts';

const logger = createLogger('silent');

describe('BrowserManager (real Chromium)', { timeout: 90_000 }, () => {
  let demo: DemoSite;
  let dataDir: string;

  before(async () => {
    demo = await startDemoSite({ control: true });
    dataDir = await mkdtemp(join(tmpdir(), 'gateway-manager-'));
  });

  after(async () => {
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function adapter(manager: BrowserManager): DemoSiteAdapter {
    const account = manager.account('acct', { homeUrl: `${demo.url}/` });
    return new DemoSiteAdapter({
      id: 'demo',
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      streaming: 'sse',
      transport: new InPageFetchTransport({ account, logger }),
      logger,
    });
  }

  async function withManager<T>(
    options: Partial<BrowserManagerOptions>,
    use: (m: BrowserManager) => Promise<T>,
  ) {
    const manager = new BrowserManager({ dataDir, logger, ...options });
    try {
      return await use(manager);
    } finally {
      await manager.close();
    }
  }

  test('the session snapshot saved on shutdown is restored on the next start', {
    timeout: 28_000,
  }, async () => {
    await withManager({}, async (manager) => {
      const site = adapter(manager);
      await site.listModels();
      await site.close();
    });
    const file = join(dataDir, 'acct', 'storage-state.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { cookies: Array<{ name: string }> };
    assert.ok(saved.cookies.some((cookie) => cookie.name === 'demo_session'));

    const logins = demo.stats().logins;
    await withManager({}, async (manager) => {
      const site = adapter(manager);
      // The adapter has no CSRF token yet, so it scrapes the app page: proof the cookie came back.
      assert.equal((await site.checkSession(AbortSignal.timeout(10_000))).state, 'ok');
      await site.close();
    });
    assert.equal(demo.stats().logins, logins);
  });

  test('headful mode runs on its own Xvfb display and looks like a desktop Chrome', {
    timeout: 25_000,
  }, async () => {
    await withManager({ mode: 'headful' }, async (manager) => {
      const lease = await manager.account('headful', { homeUrl: `${demo.url}/login` }).acquirePage();
      const seen = await lease.page.evaluate(() => ({
        webdriver: navigator.webdriver,
        ua: navigator.userAgent,
      }));
      assert.equal(seen.webdriver, false);
      assert.doesNotMatch(seen.ua, /Headless/);
      lease.release();
    });
  });

  test('a missing browser is a clear error naming the package', async () => {
    const manager = new BrowserManager({ dataDir, logger, executablePath: '/nonexistent/chromium' });
    await assert.rejects(
      manager.browser(),
      (error: unknown) =>
        error instanceof ChromiumNotFoundError && /apt-get install chromium/.test(error.message),
    );
    await manager.close();
  });
});
