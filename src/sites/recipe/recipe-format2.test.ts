import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { SiteEvent, SiteTurn } from '../../site-contract/site.ts';
import { probesFor } from './checker/check-probes.ts';
import { formatCheckTable } from './checker/format-check-table.ts';
import { runSiteCheck } from './checker/run-site-check.ts';
import { parseRecipe } from './load-recipe.ts';
import { RecipeSite } from './recipe-site.ts';

const recipeText = await readFile(new URL('../../../recipes/demo-api-v2.yaml', import.meta.url), 'utf8');
// 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function reply(site: RecipeSite, turn: Partial<SiteTurn> & { text: string }) {
  const events: SiteEvent[] = [];
  for await (const event of site.send(
    { model: 'text-1', attachments: [], ...turn },
    AbortSignal.timeout(20_000),
  ))
    events.push(event);
  const thread = events.find((event) => event.type === 'thread');
  return {
    text: events.map((event) => (event.type === 'text' ? event.delta : '')).join(''),
    threadId: thread?.type === 'thread' ? thread.threadId : undefined,
  };
}

describe('recipe format 2 against the demo site', () => {
  let demo: DemoSite;
  let site: RecipeSite;
  const makeSite = (text: string) =>
    new RecipeSite({
      id: 'demo-v2',
      recipe: parseRecipe(text),
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      transport: new HttpTransport(),
      logger: createLogger('silent'),
    });
  before(async () => {
    demo = await startDemoSite({ loginCsrf: true, conversationApi: true });
    site = makeSite(recipeText);
  });
  after(async () => {
    await site?.close();
    await demo?.close();
  });

  test('without the prelude the login is refused with the CSRF error', async () => {
    const withoutPrelude = makeSite(
      recipeText.replace(/ {2}prelude:\n(?: {4}.*\n)+/, '').replace(/ {6}headers: \{ x-login-token.*\n/, ''),
    );
    try {
      await assert.rejects(withoutPrelude.login(AbortSignal.timeout(5000)), /403 invalid_csrf/);
    } finally {
      await withoutPrelude.close();
    }
  });

  test('the prelude token and its cookie carry into the login', async () => {
    await site.login(AbortSignal.timeout(5000));
    assert.deepEqual(await site.checkSession(AbortSignal.timeout(5000)), { state: 'ok', user: 'demo' });
  });

  test('an image travels inside the message as a data: URL (the site sees its bytes)', async () => {
    const attachment = await site.upload(
      { data: PNG, filename: 'dot.png', mediaType: 'image/png' },
      AbortSignal.timeout(5000),
    );
    const sha = createHash('sha256').update(PNG).digest('hex');
    const { text } = await reply(site, {
      model: 'vision-1',
      text: 'What is this?',
      attachments: [attachment],
    });
    assert.match(text, new RegExp(`attachments=1 sha256=${sha}`));
  });

  test('the system prompt goes in as a system message on a new thread', async () => {
    const system = 'Answer every message with the single word MANGO.';
    const digest = createHash('sha256').update(system).digest('hex').slice(0, 12);
    const { text } = await reply(site, { model: 'vision-1', text: 'Say hello', systemPrompt: system });
    assert.match(text, new RegExp(`system=${digest}`));
  });

  test('interleaved threads each continue with their own history', async () => {
    const a = await reply(site, { text: 'remember APPLE' });
    const b = await reply(site, { text: 'remember BANANA' });
    assert.ok(a.threadId && b.threadId && a.threadId !== b.threadId);
    const recallA = await reply(site, { text: 'what did I ask you to remember', threadId: a.threadId });
    const recallB = await reply(site, { text: 'what did I ask you to remember', threadId: b.threadId });
    assert.match(recallA.text, /remember APPLE/);
    assert.match(recallB.text, /remember BANANA/);
    assert.equal(recallA.threadId, a.threadId);
  });

  test('an image on an API recipe without a file placeholder says exactly that', async () => {
    const noFiles = makeSite(recipeText.replace('  upload: inline\n', ''));
    try {
      assert.equal(noFiles.capabilities.uploads, true, 'the file reaches upload(), which can explain');
      await assert.rejects(
        noFiles.upload({ data: PNG, filename: 'dot.png', mediaType: 'image/png' }, AbortSignal.timeout(5000)),
        (error: Error) => /has no file placeholder/.test(error.message) && !/vision/.test(error.message),
      );
    } finally {
      await noFiles.close();
    }
  });

  test('the checker is all green on the format-2 API recipe', async () => {
    const rows = await runSiteCheck(site, { ...probesFor(site.recipe.check), rowTimeoutMs: 30_000 });
    assert.deepEqual(
      rows.filter((row) => row.status !== 'pass').map((row) => `${row.name}: ${row.evidence}`),
      [],
      formatCheckTable('demo-api-v2.yaml', rows),
    );
  });

  test('a deleted or unknown local thread is reported as not found', async () => {
    const a = await reply(site, { text: 'remember KIWI' });
    assert.ok(a.threadId);
    await site.deleteThread(a.threadId, AbortSignal.timeout(5000));
    await assert.rejects(reply(site, { text: 'hi', threadId: a.threadId }), { name: 'ThreadNotFoundError' });
  });
});
