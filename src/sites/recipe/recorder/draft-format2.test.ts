import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parseRecipe } from '../load-recipe.ts';
import { draftFromRecording } from './record-site.ts';
import type { RecordedExchange, Recording } from './recording.ts';

/**
 * The demo recording changed the way a format-2 site behaves: a token GET before the login that
 * the login sends back, messages sent as a conversation array with the image as a data: URL, and
 * the thread id kept in sessionStorage instead of the URL.
 */
async function format2Recording(): Promise<Recording> {
  const recording = JSON.parse(
    await readFile(new URL('__fixtures__/demo-recording.json', import.meta.url), 'utf8'),
  ) as Recording;
  const threadId = 'thr_LleiIO7xR7_v';
  const token: RecordedExchange = {
    seq: 2.5,
    url: 'http://127.0.0.1:4100/auth/csrf',
    method: 'GET',
    resourceType: 'fetch',
    requestHeaders: {},
    status: 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: '{"csrfToken":"tok-0123456789abcdef"}',
  };
  const exchanges: RecordedExchange[] = [];
  for (const exchange of recording.exchanges) {
    if (exchange.seq === 3) {
      exchanges.push(token);
      exchange.requestHeaders = { ...exchange.requestHeaders, 'x-login-token': 'tok-0123456789abcdef' };
    }
    if (exchange.url.endsWith('/api/chat') && exchange.requestBody) {
      const body = JSON.parse(exchange.requestBody) as { model: string; text: string; threadId?: string };
      const content =
        exchange.seq === 13
          ? [
              { type: 'text', text: body.text },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ]
          : body.text;
      exchange.requestBody = JSON.stringify({
        model: body.model,
        ...(body.threadId ? { threadId: body.threadId } : {}),
        messages: [{ role: 'user', content }],
      });
    }
    exchanges.push(exchange);
  }
  return {
    ...recording,
    exchanges: exchanges.filter((x) => !x.url.endsWith('/api/files')),
    finalUrl: 'http://127.0.0.1:4100/',
    storage: { local: {}, session: { 'demo.chatId': threadId } },
  };
}

test('the recorder drafts a prelude, a conversation body, inline files and a storage thread id', async () => {
  const draft = draftFromRecording(await format2Recording(), new Date('2026-01-01T00:00:00Z'));
  const recipe = parseRecipe(draft.yaml, 'draft.yaml');
  assert.equal(recipe.recipe, 2);
  const prelude = recipe.api?.prelude[0];
  assert.equal(prelude?.request.url.source, '/auth/csrf');
  assert.equal(prelude?.capture.loginToken?.source, '$.csrfToken');
  assert.equal(recipe.api?.login?.request?.headers['x-login-token']?.source, '{{loginToken}}');
  assert.match(
    draft.yaml,
    /messages:\n\s+\$each: "\{\{messages\}\}"\n\s+\$as: m\n\s+\$item:\n\s+role: "\{\{m\.role\}\}"/,
  );
  assert.equal(recipe.api?.upload, 'inline');
  assert.deepEqual(recipe.ui?.threadId?.storage && { ...recipe.ui.threadId.storage }, {
    area: 'session',
    key: 'demo.chatId',
  });
  for (const finding of [
    'drafted as a prelude',
    'drafted as $each',
    'drafted as upload: inline',
    "sessionStorage 'demo.chatId'",
  ])
    assert.ok(
      draft.findings.some((line) => line.includes(finding)),
      `${finding} in ${draft.findings.join('\n')}`,
    );
});
