import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { decodeBase64Strict, decodeDataUrl, isDataUrl } from './decode-data-url.ts';

const param = 'messages[1].content[0].image_url';

function fails(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.status, 400);
    assert.equal(error.param, param);
    assert.match(error.message, new RegExp(param.replace(/[[\].]/g, '\\$&')));
    assert.match(error.message, reason);
    return true;
  });
}

describe('decodeBase64Strict', () => {
  test('decodes padded, unpadded, URL-safe and line-wrapped input', () => {
    assert.deepEqual([...decodeBase64Strict('aGk=')], [104, 105]);
    assert.deepEqual([...decodeBase64Strict('aGk')], [104, 105]);
    assert.deepEqual([...decodeBase64Strict('-_8=')], [0xfb, 0xff]);
    assert.deepEqual([...decodeBase64Strict('+/8=')], [0xfb, 0xff]);
    assert.deepEqual([...decodeBase64Strict('+/-_')], [0xfb, 0xff, 0xbf], 'both alphabets decode alike');
    assert.deepEqual([...decodeBase64Strict('aGVs\r\nbG8=\n')], [...Buffer.from('hello')]);
  });

  test('refuses corrupt base64 naming the field and the problem', () => {
    fails(() => decodeBase64Strict('aGk!', { param }), /unexpected character "!" at position 3/);
    fails(() => decodeBase64Strict('aGk\u00e9', { param }), /U\+00E9/);
    fails(() => decodeBase64Strict('a=Gk', { param }), /misplaced "=" padding/);
    fails(() => decodeBase64Strict('aGk===', { param }), /misplaced "=" padding/);
    fails(() => decodeBase64Strict('aGkxa', { param }), /truncated/);
  });

  test('refuses zero-byte and oversized payloads before decoding', () => {
    fails(() => decodeBase64Strict('', { param }), /empty \(zero bytes\)/);
    fails(() => decodeBase64Strict('  \n', { param }), /empty/);
    fails(
      () => decodeBase64Strict('A'.repeat(4000), { param, maxBytes: 1024 }),
      /too large \(2\.9 KiB; the limit is 1 KiB\)/,
    );
  });
});

describe('decodeDataUrl', () => {
  test('reads base64 and percent-encoded bodies with their claimed type', () => {
    assert.equal(isDataUrl(' DATA:image/png;base64,AA'), true);
    assert.equal(isDataUrl('https://x/'), false);
    const image = decodeDataUrl('data:Image/PNG;name=a.png;base64,aGk=');
    assert.deepEqual([...image.data], [104, 105]);
    assert.equal(image.mediaType, 'image/png');
    assert.deepEqual([...decodeDataUrl('data:image/png;base64,aGk%3D').data], [104, 105]);
    const text = decodeDataUrl('data:text/plain;charset=utf-8,hello%20w%C3%B6rld');
    assert.equal(new TextDecoder().decode(text.data), 'hello wörld');
    assert.equal(decodeDataUrl('data:;base64,aGk=').mediaType, undefined);
  });

  test('refuses malformed data URLs, corrupt base64 and empty bodies', () => {
    fails(() => decodeDataUrl('data:image/png;base64', { param }), /not a valid data URL/);
    fails(() => decodeDataUrl('data:image/png;base64,not base64!', { param }), /not valid base64/);
    fails(() => decodeDataUrl('data:image/png;base64,aGk%', { param }), /broken percent-encoding/);
    fails(() => decodeDataUrl('data:image/png;base64,', { param }), /empty/);
    fails(() => decodeDataUrl('data:text/plain,', { param }), /empty/);
    fails(() => decodeDataUrl('data:text/plain,abcdef', { param, maxBytes: 3 }), /too large/);
  });
});
