import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../core/logger.ts';
import { HttpTransport } from '../../../transports/http/http-transport.ts';
import { startBrowserFixture } from '../../../../test/support/browser-fixture.ts';
import { probesFor } from '../checker/check-probes.ts';
import { formatCheckTable } from '../checker/format-check-table.ts';
import { runSiteCheck } from '../checker/run-site-check.ts';
import { loadRecipe } from '../load-recipe.ts';
import { RecipeSite } from '../recipe-site.ts';
import { createUiOperations } from './create-ui-operations.ts';

const recipePath = new URL('../../../../recipes/demo-ui.yaml', import.meta.url).pathname;

test('the checker is all green on the UI-only demo recipe in real Chromium', {
  timeout: 150_000,
}, async () => {
  const fixture = await startBrowserFixture();
  const logger = createLogger('silent');
  const credentials = { username: 'demo', password: 'demo-password' };
  const account = fixture.manager.account('check-ui', { homeUrl: `${fixture.demo.url}/` });
  const recipe = await loadRecipe(recipePath);
  const site = new RecipeSite({
    id: 'demo-ui',
    recipe,
    baseUrl: fixture.demo.url,
    credentials,
    transport: new HttpTransport(),
    ui: (current, baseUrl) => createUiOperations({ recipe: current, baseUrl, account, credentials, logger }),
    logger,
  });
  try {
    const rows = await runSiteCheck(site, { ...probesFor(recipe.check), rowTimeoutMs: 30_000 });
    const table = formatCheckTable('demo-ui.yaml', rows);
    assert.deepEqual(
      rows.filter((row) => row.status !== 'pass').map((row) => `${row.name}: ${row.evidence}`),
      [],
      table,
    );
  } finally {
    await site.close();
    await fixture.close();
  }
});
