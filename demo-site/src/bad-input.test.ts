import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DemoSite } from './index.ts';
import { SiteClient, startTestSite, textOf } from './testing/site-client.ts';

type ErrorBody = { error: { code: string; message: string } };

describe('bad input gets a clear 4xx in the error shape, and the site keeps serving', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite({ maxInputChars: 50, maxUploadBytes: 1024 });
    client = await SiteClient.login(site);
  });
  after(() => site.close());

  const raw = (path: string, body: string, type = 'application/json', csrf = true) =>
    client.request(path, { method: 'POST', body, headers: { 'content-type': type }, csrf });

  test('each bad request, then a good one', async () => {
    const bigUpload = new FormData();
    bigUpload.append('file', new Blob([new Uint8Array(4096).fill(97)], { type: 'text/plain' }), 'big.txt');
    const cases: Array<[string, () => Promise<Response>, number, string]> = [
      ['malformed JSON', () => raw('/api/chat', '{"model": "text-1", "text": '), 400, 'bad_request'],
      ['JSON that is not an object', () => raw('/api/chat', '[1,2]'), 400, 'bad_request'],
      [
        'wrong field types',
        () => client.request('/api/chat', { json: { model: 1, text: true } }),
        400,
        'bad_request',
      ],
      [
        'missing CSRF',
        () => raw('/api/chat', '{"model":"text-1","text":"x"}', 'application/json', false),
        403,
        'csrf',
      ],
      [
        'unknown thread',
        () => client.request('/api/chat', { json: { threadId: 'thr_x', model: 'text-1', text: 'x' } }),
        404,
        'thread_not_found',
      ],
      [
        'unknown model',
        () => client.request('/api/chat', { json: { model: 'gpt-9', text: 'x' } }),
        404,
        'unknown_model',
      ],
      [
        'empty message',
        () => client.request('/api/chat', { json: { model: 'text-1', text: '  ' } }),
        400,
        'bad_request',
      ],
      [
        'text over maxInputChars',
        () => client.request('/api/chat', { json: { model: 'text-1', text: 'x'.repeat(51) } }),
        413,
        'input_too_long',
      ],
      [
        'wrong content type',
        () => raw('/api/chat', 'model=text-1', 'text/plain'),
        415,
        'unsupported_media_type',
      ],
      [
        'body over the body limit',
        () => raw('/api/chat', JSON.stringify({ model: 'text-1', text: 'x'.repeat(1_100_000) })),
        413,
        'payload_too_large',
      ],
      [
        'oversized upload',
        () => client.request('/api/files', { method: 'POST', body: bigUpload }),
        413,
        'file_too_large',
      ],
      ['unknown route', () => client.request('/api/nothing-here'), 404, 'not_found'],
      [
        'bad faults body',
        () =>
          fetch(`${site.url}/__control/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"captha":true}',
          }),
        400,
        'bad_request',
      ],
    ];
    for (const [name, send, status, code] of cases) {
      const res = await send();
      assert.equal(res.status, status, name);
      const body = (await res.json()) as ErrorBody;
      assert.equal(body.error.code, code, name);
      assert.equal(typeof body.error.message, 'string', name);
    }
    const good = await client.chat({ model: 'text-1', text: 'still there?' });
    assert.equal(good.status, 200);
    assert.match(textOf(good.events), /You said: still there\?$/);
  });

  test('an empty JSON body is fine where no body is needed', async () => {
    const accepted = await client.json<{ messageId: string }>('/api/messages', {
      json: { model: 'text-1', text: 'x' },
    });
    const res = await raw(`/api/messages/${accepted.body.messageId}/stop`, '');
    assert.equal(res.status, 200);
  });
});
