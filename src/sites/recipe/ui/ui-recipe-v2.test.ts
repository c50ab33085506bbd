import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../core/logger.ts';
import { HttpTransport } from '../../../transports/http/http-transport.ts';
import { type BrowserFixture, startBrowserFixture } from '../../../../test/support/browser-fixture.ts';
import type { SiteEvent } from '../../../site-contract/site.ts';
import { probesFor } from '../checker/check-probes.ts';
import { formatCheckTable } from '../checker/format-check-table.ts';
import { runSiteCheck } from '../checker/run-site-check.ts';
import { parseRecipe } from '../load-recipe.ts';
import { RecipeSite } from '../recipe-site.ts';
import { createUiOperations } from './create-ui-operations.ts';

const recipeText = await readFile(new URL('../../../../recipes/demo-ui-v2.yaml', import.meta.url), 'utf8');
const credentials = { username: 'demo', password: 'demo-password' };

// Format 2 UI pieces in real Chromium against the demo started with storageThreadId.
describe('recipe format 2 in the UI (real Chromium)', { timeout: 240_000 }, () => {
  let fixture: BrowserFixture;
  let accounts = 0;
  const sites: RecipeSite[] = [];
  const makeSite = (text: string) => {
    const logger = createLogger('silent');
    // A fresh browser account per site: each variant logs in (and runs its setup) on its own.
    const account = fixture.manager.account(`v2-${++accounts}`, { homeUrl: `${fixture.demo.url}/` });
    const site = new RecipeSite({
      id: 'demo-ui-v2',
      recipe: parseRecipe(text),
      baseUrl: fixture.demo.url,
      credentials,
      transport: new HttpTransport(),
      ui: (current, baseUrl) =>
        createUiOperations({ recipe: current, baseUrl, account, credentials, logger }),
      logger,
    });
    sites.push(site);
    return site;
  };
  before(async () => {
    fixture = await startBrowserFixture({ demo: { storageThreadId: true } });
  });
  after(async () => {
    for (const site of sites) await site.close();
    await fixture?.close();
  });

  test('the checker is all green', async () => {
    const site = makeSite(recipeText);
    const rows = await runSiteCheck(site, { ...probesFor(site.recipe.check), rowTimeoutMs: 30_000 });
    assert.deepEqual(
      rows.filter((row) => row.status !== 'pass').map((row) => `${row.name}: ${row.evidence}`),
      [],
      formatCheckTable('demo-ui-v2.yaml', rows),
    );
  });

  test('setup toggles are idempotent: running it again leaves the toggle on', async () => {
    const site = makeSite(
      recipeText.replace(
        '    - { click: "#system-prompt-box > summary", unless: "#system-prompt-box[open]" }\n',
        '    - { click: "#system-prompt-box > summary", unless: "#system-prompt-box[open]" }\n' +
          '    - { waitFor: "#system-prompt-box[open]", timeoutMs: 2000 }\n',
      ),
    );
    await site.login(AbortSignal.timeout(30_000));
    await site.runSetup(AbortSignal.timeout(30_000));
    await site.runSetup(AbortSignal.timeout(30_000));
  });

  test('a URL-only thread id source finds nothing on this site (the id is only in storage)', async () => {
    const site = makeSite(
      recipeText.replace(
        '  threadId: { storage: { area: session, key: demo.chatId } }',
        () => "  threadId: { url: '#([\\w-]+)$' }", // a function: '$' is literal
      ),
    );
    const events: SiteEvent[] = [];
    for await (const event of site.send(
      { model: 'text-1', text: 'Reply with the word KIWI', attachments: [] },
      AbortSignal.timeout(30_000),
    ))
      events.push(event);
    assert.equal(events.filter((event) => event.type === 'thread').length, 0);
    assert.ok(events.some((event) => event.type === 'text'));
  });

  test('a failed attach step is reported with its step, action and selector', async () => {
    const site = makeSite(
      recipeText.replace(
        '      - { waitFor: "[data-testid=attach-button]" }',
        '      - { waitFor: "[data-testid=no-such-menu]", timeoutMs: 1000 }',
      ),
    );
    const attachment = await site.upload(
      { data: new TextEncoder().encode('hi'), filename: 'a.txt', mediaType: 'text/plain' },
      AbortSignal.timeout(5000),
    );
    const turn = { model: 'vision-1', text: 'hello', attachments: [attachment] };
    await assert.rejects(
      (async () => {
        for await (const _ of site.send(turn, AbortSignal.timeout(30_000))) {
          // drain
        }
      })(),
      /open the file picker \(step 1, waitFor '\[data-testid=no-such-menu\]'\)/,
    );
  });

  test('the network block list applies to the pages; a readiness wait names its selector', async () => {
    // Blocking the app's own script: the page never marks itself ready.
    const site = makeSite(
      recipeText
        .replace('block: ["*://*.analytics.example/*", "*/favicon.ico"]', 'block: ["*/assets/app.js"]')
        .replace(
          '    ready: "body[data-ready=true]"',
          '    ready: "body[data-ready=true]"\n    readyMs: 2000',
        ),
    );
    await assert.rejects(
      site.login(AbortSignal.timeout(30_000)),
      /ui\.waits\.ready 'body\[data-ready=true\]' was not shown within 2000 ms/,
    );
  });
});
