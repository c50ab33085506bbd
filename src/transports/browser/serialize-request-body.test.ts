import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headersForPage, serializeRequestBody } from './serialize-request-body.ts';

test('text and bytes cross as text and base64', async () => {
  assert.deepEqual(await serializeRequestBody('{"a":1}'), { kind: 'text', text: '{"a":1}' });
  assert.deepEqual(await serializeRequestBody(new Uint8Array([0, 255, 1])), {
    kind: 'bytes',
    base64: 'AP8B',
  });
  assert.equal(await serializeRequestBody(undefined), undefined);
});

test('FormData crosses as parts, files with their bytes, type and name', async () => {
  const form = new FormData();
  form.append('purpose', 'chat');
  form.append('file', new Blob([new Uint8Array([104, 105])], { type: 'text/plain' }), 'hi.txt');
  assert.deepEqual(await serializeRequestBody(form), {
    kind: 'form',
    parts: [
      { name: 'purpose', value: 'chat' },
      { name: 'file', base64: 'aGk=', type: 'text/plain', filename: 'hi.txt' },
    ],
  });
});

test('a multipart content type is left to the page, which knows the boundary', () => {
  const form = { kind: 'form' as const, parts: [] };
  assert.deepEqual(headersForPage({ 'Content-Type': 'multipart/form-data', Accept: 'x' }, form), {
    accept: 'x',
  });
  assert.deepEqual(headersForPage({ 'Content-Type': 'application/json' }, { kind: 'text', text: '' }), {
    'content-type': 'application/json',
  });
});
