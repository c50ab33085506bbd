import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../demo-site/src/index.ts';
import { GatewayConfigSchema } from '../config/config-schema.ts';
import { createLogger } from '../core/logger.ts';
import { type CreatedSites, createSites } from './create-sites.ts';

const CREDENTIALS = { username: 'demo', password: 'demo-password' };

/**
 * Sites from config entries through the registry: every site driven in Chromium — whatever its
 * kind — shares the browser, gets session keep-alive that renews an ended session and marks a
 * challenged one for remote login, and its browser account is the one remote login opens.
 */
describe('sites from the registry (demo and recipe in Chromium, demo over HTTP)', {
  timeout: 120_000,
}, () => {
  let demo: DemoSite;
  let dataDir: string;
  let created: CreatedSites;

  before(async () => {
    demo = await startDemoSite({ control: true });
    dataDir = await mkdtemp(join(tmpdir(), 'wcg-create-sites-'));
    const config = GatewayConfigSchema.parse({
      dataDir,
      sites: [
        { id: 'demo-browser', kind: 'demo', embedded: false, baseUrl: demo.url, transport: 'browser' },
        {
          id: 'recipe-ui',
          kind: 'recipe',
          recipe: 'recipes/demo-ui.yaml',
          baseUrl: demo.url,
          credentials: CREDENTIALS,
          transport: 'browser',
          watch: false,
        },
        { id: 'plain', kind: 'demo', embedded: false, baseUrl: demo.url },
      ],
    });
    created = await createSites(config.sites, createLogger('silent'), {
      dataDir,
      browser: config.browser,
    });
  });

  after(async () => {
    await created?.close();
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('browser-driven sites of both kinds get keep-alive and the shared browser; the HTTP one neither', () => {
    assert.deepEqual(
      created.sites.map((site) => site.id),
      ['demo-browser', 'recipe-ui', 'plain'],
    );
    assert.deepEqual(created.browserSites, ['demo-browser', 'recipe-ui']);
    assert.deepEqual([...created.keepAlives.keys()], ['demo-browser', 'recipe-ui']);
    assert.ok(created.browser);
  });

  for (const id of ['demo-browser', 'recipe-ui']) {
    test(`${id}: an ended session is renewed by logging in again; a challenge needs a person; then it recovers`, async () => {
      const keepAlive = created.keepAlives.get(id);
      assert.ok(keepAlive);
      assert.equal((await keepAlive.checkNow()).state, 'ok');
      // Remote login opens the site's own browser account.
      assert.ok(created.browser?.findAccount(id), 'the browser account has the site id');

      const logins = demo.stats().logins;
      demo.setFaults({ expireSessions: true });
      assert.equal((await keepAlive.checkNow()).state, 'ok');
      assert.equal(demo.stats().logins, logins + 1, 'logged in again');

      demo.setFaults({ captcha: true });
      try {
        const health = await keepAlive.checkNow();
        assert.equal(health.state, 'needs-login');
      } finally {
        demo.setFaults({});
      }
      assert.equal((await keepAlive.checkNow()).state, 'ok');
    });
  }
});
