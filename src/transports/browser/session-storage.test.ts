import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../core/logger.ts';
import type { Page } from './browser-library.ts';
import { BrowserManager } from './browser-manager.ts';
import { mergeSessionStorage, parseSessionStorage, unionByOrigin } from './session-storage.ts';
import { StorageStateStore } from './storage-state-store.ts';

const logger = createLogger('silent');

/**
 * A page whose first script, before anything else of the page runs, notes what it found in
 * sessionStorage (on the DOM, which page.evaluate's isolated world can read).
 */
const PAGE = `<!doctype html><html><head><script>
  const found = {};
  for (let i = 0; i < sessionStorage.length; i++) found[sessionStorage.key(i)] = sessionStorage.getItem(sessionStorage.key(i));
  document.documentElement.dataset.foundAtStart = JSON.stringify(found);
</script></head><body>page</body></html>`;

async function startSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function foundAtStart(page: Page): Promise<Record<string, string>> {
  return JSON.parse(
    (await page.evaluate('document.documentElement.dataset.foundAtStart')) as string,
  ) as Record<string, string>;
}

async function storage(page: Page): Promise<Record<string, string>> {
  return (await page.evaluate(
    'Object.fromEntries(Array.from({ length: sessionStorage.length }, (_, i) => [sessionStorage.key(i), sessionStorage.getItem(sessionStorage.key(i))]))',
  )) as Record<string, string>;
}

const ODD_VALUE = 'quote" </script> \u2028 \\ `tick` ünïcödé';

describe('sessionStorage persistence (real Chromium)', { timeout: 30_000 }, () => {
  const sites: Array<{ url: string; server: Server }> = [];
  let dataDir: string;

  before(async () => {
    sites.push(await startSite(), await startSite(), await startSite());
    dataDir = await mkdtemp(join(tmpdir(), 'gateway-session-storage-'));
  });

  after(async () => {
    for (const site of sites) site.server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('saved with the snapshot, back in a fresh page after a restart, for its own origin only', {
    timeout: 20_000,
  }, async () => {
    const [a, b, c] = sites.map((site) => site.url) as [string, string, string];
    const first = new BrowserManager({ dataDir, logger });
    try {
      const account = first.account('sess', { homeUrl: `${a}/` });
      // Held, not released, while the manager closes: a released page beyond the warm pool closes.
      // (Pages of one origin are merged key by key: see the merging test below.)
      const one = await account.acquirePage();
      const two = await account.acquirePage();
      await one.page.evaluate(
        `sessionStorage.setItem('token', 't-1'); sessionStorage.setItem('odd', ${JSON.stringify(ODD_VALUE)});
         sessionStorage.setItem('shared', 's'); sessionStorage.setItem('__wcg_recording', '[]');`,
      );
      await two.page.goto(`${b}/`);
      await two.page.evaluate(`sessionStorage.setItem('b-key', 'b')`);
    } finally {
      await first.close();
    }

    const file = join(dataDir, 'sess', 'storage-state.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { cookies: unknown[]; sessionStorage: unknown };
    assert.ok(Array.isArray(saved.cookies));
    assert.deepEqual(saved.sessionStorage, [
      {
        origin: a,
        entries: [
          ['token', 't-1'],
          ['odd', ODD_VALUE],
          ['shared', 's'],
        ],
      },
      { origin: b, entries: [['b-key', 'b']] },
    ]);

    const second = new BrowserManager({ dataDir, logger });
    try {
      const account = second.account('sess', { homeUrl: `${a}/` });
      const lease = await account.acquirePage();
      const { page } = lease;
      // There before the page's own first script ran.
      assert.deepEqual(await foundAtStart(page), { token: 't-1', odd: ODD_VALUE, shared: 's' });

      // What the page writes or deletes itself stays that way across reloads.
      await page.evaluate(`sessionStorage.setItem('token', 't-2'); sessionStorage.setItem('own', 'o');
        sessionStorage.removeItem('odd')`);
      await page.reload();
      assert.deepEqual(await foundAtStart(page), { token: 't-2', shared: 's', own: 'o' });

      // Another saved origin gets its own entries only; an unknown origin gets nothing.
      await page.goto(`${b}/`);
      assert.deepEqual(await foundAtStart(page), { 'b-key': 'b' });
      await page.goto(`${c}/`);
      assert.deepEqual(await storage(page), {});

      // Back on the first origin the tab has its own values; the next save takes them, and a new
      // page of the account (lease still held, so not the same one) starts from them.
      await page.goto(`${a}/`);
      await page.evaluate(`sessionStorage.removeItem('own')`);
      await account.saveState();
      const fresh = await account.acquirePage();
      assert.notEqual(fresh.page, page);
      assert.deepEqual(await foundAtStart(fresh.page), { token: 't-2', shared: 's' });
    } finally {
      await second.close();
    }
  });

  test('snapshot files without sessionStorage (or with a mangled one) still load', async () => {
    const directory = join(dataDir, 'old-format');
    const store = new StorageStateStore(directory);
    await store.save({ cookies: [], origins: [] });
    assert.deepEqual(await store.load(), { cookies: [], origins: [] });

    await writeFile(
      join(directory, 'storage-state.json'),
      JSON.stringify({
        cookies: [],
        origins: [],
        sessionStorage: [
          { origin: 'https://ok.example', entries: [['k', 'v'], ['bad', 1], 'junk'] },
          { origin: 'not a url', entries: [['k', 'v']] },
          { origin: 'https://empty.example', entries: [] },
          null,
        ],
      }),
    );
    assert.deepEqual(await store.load(), {
      cookies: [],
      origins: [],
      sessionStorage: [{ origin: 'https://ok.example', entries: [['k', 'v']] }],
    });
  });

  test('merging: the later page wins per key; unread origins keep their entries; emptied ones go', () => {
    const read = unionByOrigin([
      {
        origin: 'https://a.example',
        entries: [
          ['k', '1'],
          ['x', 'x'],
        ],
      },
      {
        origin: 'https://a.example',
        entries: [
          ['k', '2'],
          ['__wcg_recording', '[]'],
        ],
      },
      { origin: 'https://gone.example', entries: [] },
    ]);
    assert.deepEqual(read, [
      {
        origin: 'https://a.example',
        entries: [
          ['k', '2'],
          ['x', 'x'],
        ],
      },
      { origin: 'https://gone.example', entries: [] },
    ]);
    const saved = parseSessionStorage([
      { origin: 'https://a.example', entries: [['old', 'o']] },
      { origin: 'https://kept.example', entries: [['s', 's']] },
      { origin: 'https://gone.example', entries: [['g', 'g']] },
    ]);
    assert.deepEqual(mergeSessionStorage(saved, read), [
      {
        origin: 'https://a.example',
        entries: [
          ['k', '2'],
          ['x', 'x'],
        ],
      },
      { origin: 'https://kept.example', entries: [['s', 's']] },
    ]);
  });
});
