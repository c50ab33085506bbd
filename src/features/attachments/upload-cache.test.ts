import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SiteAttachment } from '../../site-contract/site.ts';
import { sha256Hex } from './sha256.ts';
import { createUploadCache } from './upload-cache.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const part = (text: string) => ({ data: bytes(text), mediaType: 'image/png', filename: 'a.png' });

function counter() {
  let calls = 0;
  const upload = async (): Promise<SiteAttachment> => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { fileId: `file-${calls}`, mediaType: 'image/png' };
  };
  return { upload, calls: () => calls };
}

describe('createUploadCache', () => {
  test('the same bytes on the same account upload once', async () => {
    const cache = createUploadCache();
    const site = counter();
    const first = await cache.getOrUpload('demo:alice', part('img'), site.upload);
    const again = await cache.getOrUpload(
      'demo:alice',
      { ...part('img'), filename: 'renamed.png' },
      site.upload,
    );
    assert.equal(site.calls(), 1);
    assert.deepEqual(again, first);
  });

  test('different accounts and different bytes upload separately', async () => {
    const cache = createUploadCache();
    const site = counter();
    await cache.getOrUpload('demo:alice', part('img'), site.upload);
    await cache.getOrUpload('demo:bob', part('img'), site.upload);
    await cache.getOrUpload('demo:alice', part('other'), site.upload);
    assert.equal(site.calls(), 3);
    assert.equal(cache.size, 3);
  });

  test('a precomputed sha256 is used as the key', async () => {
    const cache = createUploadCache();
    const site = counter();
    await cache.getOrUpload('a', part('img'), site.upload);
    await cache.getOrUpload(
      'a',
      { data: new Uint8Array(0), mediaType: 'image/png', sha256: sha256Hex(bytes('img')) },
      site.upload,
    );
    assert.equal(site.calls(), 1);
  });

  test('concurrent identical uploads coalesce into one', async () => {
    const cache = createUploadCache();
    const site = counter();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => cache.getOrUpload('a', part('img'), site.upload)),
    );
    assert.equal(site.calls(), 1);
    assert.ok(results.every((r) => r.fileId === 'file-1'));
  });

  test('a failed upload is not cached, and waiters retry once with their own upload', async () => {
    const cache = createUploadCache();
    let calls = 0;
    const failing = async (): Promise<SiteAttachment> => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('client went away');
    };
    const working = async (): Promise<SiteAttachment> => {
      calls++;
      return { fileId: 'ok', mediaType: 'image/png' };
    };
    const [first, second] = await Promise.allSettled([
      cache.getOrUpload('a', part('img'), failing),
      cache.getOrUpload('a', part('img'), working),
    ]);
    assert.equal(first.status, 'rejected');
    assert.deepEqual(second.status === 'fulfilled' ? second.value.fileId : undefined, 'ok');
    assert.equal(calls, 2);
    assert.equal(
      (await cache.getOrUpload('a', part('img'), failing)).fileId,
      'ok',
      'the retry result is cached',
    );
  });

  test('entries expire, can be invalidated, and the least recently used are evicted', async () => {
    let clock = 0;
    const cache = createUploadCache({ maxEntries: 2, ttlMs: 1000, now: () => clock });
    const site = counter();
    await cache.getOrUpload('a', part('one'), site.upload);
    await cache.getOrUpload('a', part('two'), site.upload);
    await cache.getOrUpload('a', part('one'), site.upload); // touch: "two" is now the oldest
    await cache.getOrUpload('a', part('three'), site.upload); // evicts "two"
    assert.equal(site.calls(), 3);
    await cache.getOrUpload('a', part('one'), site.upload);
    assert.equal(site.calls(), 3);
    await cache.getOrUpload('a', part('two'), site.upload);
    assert.equal(site.calls(), 4);

    cache.invalidate('a', sha256Hex(bytes('two')));
    await cache.getOrUpload('a', part('two'), site.upload);
    assert.equal(site.calls(), 5);

    clock = 5000;
    await cache.getOrUpload('a', part('two'), site.upload);
    assert.equal(site.calls(), 6);
  });
});
