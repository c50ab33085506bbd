import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type DemoFaults, type DemoSite, startDemoSite } from '../../../../demo-site/src/index.ts';
import { createLogger } from '../../../core/logger.ts';
import { HttpTransport } from '../../../transports/http/http-transport.ts';
import { DemoSiteAdapter } from '../../demo/demo-site-adapter.ts';
import type { Site } from '../../../site-contract/site.ts';
import { loadRecipe, parseRecipe } from '../load-recipe.ts';
import type { Recipe } from '../recipe-schema.ts';
import { RecipeSite } from '../recipe-site.ts';
import { type CheckProbes, probesFor } from './check-probes.ts';
import { formatCheckTable } from './format-check-table.ts';
import { CHECK_ROWS, type CheckRowName, runSiteCheck } from './run-site-check.ts';

const recipeUrl = (name: string) => new URL(`../../../../recipes/${name}`, import.meta.url);

describe('site checker', { timeout: 120_000 }, () => {
  let demo: DemoSite;
  let apiRecipe: Recipe;
  let probes: CheckProbes;
  const sites: Site[] = [];

  const recipeSite = (recipe: Recipe) => {
    const site = new RecipeSite({
      id: 'demo-recipe',
      recipe,
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      transport: new HttpTransport(),
      logger: createLogger('silent'),
    });
    sites.push(site);
    return site;
  };

  /** Runs the checker and returns the rows that failed (and checks nothing was skipped). */
  async function failedRows(site: Site, faults: DemoFaults = {}): Promise<CheckRowName[]> {
    demo.setFaults(faults);
    const rows = await runSiteCheck(site, { ...probes, rowTimeoutMs: 8000 });
    assert.deepEqual(
      rows.map((row) => row.name),
      [...CHECK_ROWS],
    );
    assert.deepEqual(
      rows.filter((row) => row.status === 'skip'),
      [],
    );
    if (process.env.TEST_LOG_LEVEL) console.log(formatCheckTable(`faults ${JSON.stringify(faults)}`, rows));
    return rows.filter((row) => row.status === 'fail').map((row) => row.name);
  }

  before(async () => {
    // slow-1 takes ~2 s to answer the long prompt, longer than the checker waits after an abort.
    demo = await startDemoSite({ control: true, slowWordDelayMs: 50 });
    apiRecipe = await loadRecipe(recipeUrl('demo-api.yaml').pathname);
    probes = probesFor(apiRecipe.check);
  });
  beforeEach(() => demo.reset());
  after(async () => {
    for (const site of sites) await site.close();
    await demo?.close();
  });

  test('all green on the demo site, described by a recipe and by its built-in adapter', async () => {
    const rows = await runSiteCheck(recipeSite(apiRecipe), probes);
    const table = formatCheckTable('demo-api.yaml', rows);
    assert.deepEqual(
      rows.filter((row) => row.status !== 'pass'),
      [],
      table,
    );
    assert.match(table, /^one-word reply +pass +\d+ ms +"PINEAPPLE" in \d+ ms$/m);
    assert.match(table, /^9 passed, 0 failed, 0 skipped$/m);

    const builtIn = new DemoSiteAdapter({
      id: 'demo',
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      streaming: 'sse',
      transport: new HttpTransport(),
      logger: createLogger('silent'),
    });
    sites.push(builtIn);
    assert.deepEqual(await failedRows(builtIn), []);
  });

  test('captcha: the login row is red, and everything behind it', async () => {
    const failed = await failedRows(recipeSite(apiRecipe), { captcha: true });
    assert.deepEqual(failed, [...CHECK_ROWS]);
  });

  test('HTTP 500 on every send: login and models stay green, every reply row turns red', async () => {
    const failed = await failedRows(recipeSite(apiRecipe), { http500: true });
    assert.deepEqual(failed, CHECK_ROWS.slice(2));
  });

  test('streams cut midway: reply rows red; abort and deletion (which need no full reply) green', async () => {
    const failed = await failedRows(recipeSite(apiRecipe), { midStreamDisconnect: true });
    assert.deepEqual(failed, [
      'one-word reply',
      'streaming incremental',
      'multi-turn continuation',
      'system prompt obeyed',
      'image accepted',
    ]);
  });

  test('a stalled stream times the reply rows out; abort still works', async () => {
    demo.setFaults({ stallSeconds: 30 });
    const rows = await runSiteCheck(recipeSite(apiRecipe), { ...probes, rowTimeoutMs: 1500 });
    const failed = rows.filter((row) => row.status === 'fail').map((row) => row.name);
    assert.deepEqual(failed, [
      'one-word reply',
      'streaming incremental',
      'multi-turn continuation',
      'system prompt obeyed',
      'image accepted',
      'thread deletion',
    ]);
    assert.match(
      rows.find((row) => row.name === 'one-word reply')?.evidence ?? '',
      /no answer within 1500 ms/,
    );
  });

  test('a WebSocket recipe without its stop request: only the abort row is red', async () => {
    const text = await readFile(recipeUrl('demo-api-ws.yaml'), 'utf8');
    const withoutStop = text.replace(/\n {4}stop:\n(?: {6}.*\n)+/, '\n');
    assert.notEqual(withoutStop, text);
    const failed = await failedRows(recipeSite(parseRecipe(withoutStop)));
    assert.deepEqual(failed, ['abort stops generation']);
  });
});
