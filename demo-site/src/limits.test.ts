import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Limits } from './limits.ts';
import { SiteClient, startTestSite } from './testing/site-client.ts';

type ErrorBody = { error: { code: string } };

describe('limits', () => {
  test('rate limit: 429 rate_limited with Retry-After, per account, over a rolling minute', async () => {
    const site = await startTestSite({ rateLimitPerMinute: 2 });
    try {
      const client = await SiteClient.login(site);
      assert.equal((await client.chat({ model: 'text-1', text: 'one' })).status, 200);
      assert.equal(
        (await client.request('/api/messages', { json: { model: 'text-1', text: 'two' } })).status,
        202,
      );
      const res = await client.request('/api/chat', { json: { model: 'text-1', text: 'three' } });
      assert.equal(res.status, 429);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'rate_limited');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      site.reset();
      assert.equal((await client.chat({ model: 'text-1', text: 'after reset' })).status, 200);
    } finally {
      await site.close();
    }
  });

  test('rolling window unit: frees up after a minute', () => {
    let now = 1_000_000;
    const limits = new Limits(1, 10, () => now);
    limits.takeRate('a');
    assert.throws(() => limits.takeRate('a'), /Too many/);
    limits.takeRate('b');
    now += 60_001;
    limits.takeRate('a');
  });

  test('daily quota per model: 429 quota_exceeded with Retry-After until UTC midnight', async () => {
    const site = await startTestSite({ dailyQuotaPerModel: 1 });
    try {
      const client = await SiteClient.login(site);
      assert.equal((await client.chat({ model: 'text-1', text: 'one' })).status, 200);
      const res = await client.request('/api/chat', { json: { model: 'text-1', text: 'two' } });
      assert.equal(res.status, 429);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'quota_exceeded');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 86_400, String(retryAfter));
      assert.equal((await client.chat({ model: 'fast-1', text: 'other model' })).status, 200);
    } finally {
      await site.close();
    }
  });

  test('concurrency: 409 generation_in_progress past the per-account limit and on a busy thread', async () => {
    const site = await startTestSite({ maxConcurrentGenerations: 1, slowWordDelayMs: 30 });
    try {
      const client = await SiteClient.login(site);
      const first = await client.json<{ messageId: string; threadId: string }>('/api/messages', {
        json: { model: 'slow-1', text: 'long' },
      });
      assert.equal(first.status, 202);
      const second = await client.json<ErrorBody>('/api/messages', { json: { model: 'text-1', text: 'x' } });
      assert.equal(second.status, 409);
      assert.equal(second.body.error.code, 'generation_in_progress');
      const sameThread = await client.json<ErrorBody>('/api/chat', {
        json: { threadId: first.body.threadId, model: 'text-1', text: 'x' },
      });
      assert.equal(sameThread.status, 409);
      await client.json(`/api/messages/${first.body.messageId}/stop`, { method: 'POST' });
      assert.equal(
        (await client.chat({ threadId: first.body.threadId, model: 'text-1', text: 'now' })).status,
        200,
      );
    } finally {
      await site.close();
    }
  });
});
