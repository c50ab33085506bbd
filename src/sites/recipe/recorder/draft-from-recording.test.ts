import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseRecipe } from '../load-recipe.ts';
import { parseMultipart, withoutSecrets } from './capture-session.ts';
import { inferStream } from './infer-stream.ts';
import { recordsOf } from './recorded-records.ts';
import { draftFromRecording } from './record-site.ts';
import type { Recording } from './recording.ts';

// Recorded with `webchat-gateway record` against the local demo site and the automated person
// (demo-person.ts); the session values in it are from a throwaway local session.
const fixture = async () =>
  JSON.parse(
    await readFile(new URL('__fixtures__/demo-recording.json', import.meta.url), 'utf8'),
  ) as Recording;

describe('drafting a recipe from a recording (no browser)', () => {
  test('the demo recording drafts the API and UI halves, guesses marked', async () => {
    const draft = draftFromRecording(await fixture(), new Date('2026-01-01T00:00:00Z'));
    const recipe = parseRecipe(draft.yaml, 'draft.yaml');
    const api = recipe.api;
    assert.ok(api?.send && api.login && api.models && api.upload && api.deleteThread);
    assert.equal(api.login.request?.url.source, '/api/auth/login');
    assert.equal(api.login.scrape.csrf?.meta, 'csrf-token');
    assert.equal(api.headers['x-csrf-token']?.source, '{{csrf}}');
    assert.equal(api.models.list.source, '$.models[*]');
    const text = api.send.stream.text[0];
    assert.deepEqual([text?.when?.[0]?.event, text?.path.source, text?.mode], ['text', '$.delta', 'delta']);
    assert.equal(api.send.stream.threadId?.[0]?.path.source, '$.threadId');
    assert.equal(api.send.stream.finish?.[0]?.reason?.source, '$.finishReason');
    assert.match(
      draft.yaml,
      /json:\n\s+model: "\{\{model\}\}"\n\s+text: "\{\{text\}\}"\n\s+threadId: "\{\{threadId\}\}"\n\s+fileIds: "\{\{fileIds\}\}"/,
    );
    assert.equal(recipe.ui?.reply.source, '.assistant [data-testid="message-text"]');
    assert.equal(recipe.ui?.openThread?.[0]?.goto?.source, '/#{{threadId}}');
    assert.ok(
      draft.yaml.startsWith('# Drafted by `webchat-gateway record http://127.0.0.1:4100/` on 2026-01-01.'),
    );
    assert.equal(draft.yaml.match(/# REVIEW:/g)?.length, draft.reviews);
  });

  test('a cumulative stream is recognised and its text path found', () => {
    const body = ['PI', 'PINEAP', 'PINEAPPLE', 'PINEAPPLE']
      .map((text, i) =>
        JSON.stringify({ type: 'update', message: { text, state: i === 3 ? 'complete' : 'partial' } }),
      )
      .join('\n');
    const inferred = inferStream(recordsOf(body, 'ndjson'), 'PINEAPPLE');
    assert.deepEqual(inferred?.text, {
      when: { path: '$.type', equals: 'update' },
      path: '$.message.text',
      mode: 'cumulative',
    });
    assert.equal(inferred?.replyText, 'PINEAPPLE');
  });

  test('OpenAI-style chunks: text path, finish by its reason field, [DONE] marker', () => {
    const chunk = (content: string | undefined, finish: string | null) =>
      `data: ${JSON.stringify({ choices: [{ delta: content === undefined ? {} : { content }, finish_reason: finish }] })}\n\n`;
    const body = `${chunk('PINE', null)}${chunk('APPLE', null)}${chunk(undefined, 'stop')}data: [DONE]\n\n`;
    const inferred = inferStream(recordsOf(body, 'sse'), 'PINEAPPLE');
    assert.equal(inferred?.text.path, '$.choices[0].delta.content');
    assert.deepEqual(inferred?.finish, {
      when: { path: '$.choices[0].finish_reason' },
      reason: '$.choices[0].finish_reason',
    });
    assert.equal(inferred?.endMarker, '[DONE]');
  });

  test('recordings never keep secrets; multipart bodies are read part by part', () => {
    assert.equal(withoutSecrets('{"user":"a","password":"hunter2"}'), '{"user":"a","password":"***"}');
    assert.equal(withoutSecrets('user=a&passwd=hunter2'), 'user=a&passwd=***');
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="meta"\r\n\r\n{"x":1}\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--b--\r\n',
      'latin1',
    );
    assert.deepEqual(parseMultipart(body, 'b'), [
      { name: 'meta', value: '{"x":1}' },
      { name: 'file', filename: 'a.png', contentType: 'image/png' },
    ]);
  });
});
