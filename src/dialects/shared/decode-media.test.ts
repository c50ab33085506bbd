import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { decodeBase64 } from './base64.ts';
import { assertRemoteUrl, decodeDataUrl } from './data-url.ts';

const fails = (fn: () => unknown, param: string) =>
  assert.throws(
    fn,
    (error: unknown) => error instanceof GatewayError && error.status === 400 && error.param === param,
  );

describe('decodeBase64', () => {
  test('standard, URL-safe, padded or not, with line breaks', () => {
    assert.deepEqual(Buffer.from(decodeBase64('aGVsbG8=', 'p')).toString(), 'hello');
    assert.deepEqual(Buffer.from(decodeBase64('aGVsbG8', 'p')).toString(), 'hello');
    assert.deepEqual(Buffer.from(decodeBase64('aGVs\nbG8=', 'p')).toString(), 'hello');
    assert.deepEqual([...decodeBase64('-_8', 'p')], [0xfb, 0xff]);
  });
  test('garbage, empty and impossible lengths are refused', () => {
    fails(() => decodeBase64('@@@', 'x.data'), 'x.data');
    fails(() => decodeBase64('', 'x.data'), 'x.data');
    fails(() => decodeBase64('abcde', 'x.data'), 'x.data');
    fails(() => decodeBase64('ab+_', 'x.data'), 'x.data');
  });
});

describe('decodeDataUrl', () => {
  test('base64 and percent-encoded payloads', () => {
    const png = decodeDataUrl('data:image/PNG;base64,iVBORw0KGgo=', 'p');
    assert.equal(png.mediaType, 'image/png');
    assert.equal(png.data.length, 8);
    const text = decodeDataUrl('data:,hello%20world', 'p');
    assert.equal(text.mediaType, 'text/plain');
    assert.equal(Buffer.from(text.data).toString(), 'hello world');
  });
  test('malformed data URLs are refused', () => {
    fails(() => decodeDataUrl('data:image/png;base64', 'u'), 'u');
    fails(() => decodeDataUrl('data:image/png;base64,***', 'u'), 'u');
  });
});

describe('assertRemoteUrl', () => {
  test('http(s) only', () => {
    assertRemoteUrl('https://example.com/a.png', 'u');
    assertRemoteUrl('http://example.com/a.png', 'u');
    fails(() => assertRemoteUrl('ftp://example.com/a', 'u'), 'u');
    fails(() => assertRemoteUrl('not a url', 'u'), 'u');
  });
});
