import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { createRecipeSite } from './create-recipe-site.ts';
import { RecipeSiteConfigSchema } from './recipe-site-config.ts';

describe('recipe site from its config entry', () => {
  let demo: DemoSite;
  let dir: string;
  before(async () => {
    demo = await startDemoSite({});
    dir = await mkdtemp(join(tmpdir(), 'recipe-config-'));
  });
  after(async () => {
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('credentials from the environment, hot reload on, closed cleanly', async () => {
    const path = join(dir, 'site.yaml');
    const original = await readFile(new URL('../../../recipes/demo-api.yaml', import.meta.url), 'utf8');
    await writeFile(path, original);
    const config = RecipeSiteConfigSchema.parse({
      id: 'mysite',
      kind: 'recipe',
      recipe: path,
      baseUrl: demo.url,
      credentials: { username: 'demo' },
      credentialsEnv: { password: 'MYSITE_PASSWORD' },
    });
    const site = await createRecipeSite(config, {
      logger: createLogger('silent'),
      dataDir: dir,
      env: { MYSITE_PASSWORD: 'demo-password' },
    });
    try {
      assert.equal(site.id, 'mysite');
      assert.ok((await site.listModels()).some((model) => model.id === 'demo-default'));
      await writeFile(path, original.replace('demo-default: text-1', 'renamed: text-1'));
      const deadline = Date.now() + 5000;
      while (!(await site.listModels()).some((model) => model.id === 'renamed')) {
        assert.ok(Date.now() < deadline, 'the edit was picked up');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await site.close();
    }
    await assert.rejects(
      createRecipeSite(config, { logger: createLogger('silent'), env: {} }),
      /environment variable MYSITE_PASSWORD is not set/,
    );
  });
});
