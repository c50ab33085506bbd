import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from '../../test/support/store-engines.ts';
import { openStore } from '../store/open-store.ts';
import type { UsageTable } from '../store/schema.ts';
import { BUCKET_MS, MAX_SERIES_BUCKETS, usageSeries } from './usage-series.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const MIN = BUCKET_MS.minute;
let next = 0;

function row(at: number, overrides: Partial<UsageTable> = {}): UsageTable {
  return {
    request_id: `req_${next++}`,
    user_id: 'usr_a',
    key_id: 'key_a',
    dialect: 'openai',
    model: 'demo/fast-1',
    site_id: 'demo',
    account_id: null,
    prompt_tokens: 10,
    completion_tokens: 5,
    reasoning_tokens: 0,
    prompt_measured: 0,
    completion_measured: 0,
    reasoning_measured: 0,
    charged_tokens: 15,
    status: 'ok',
    error_type: null,
    ttft_ms: 100,
    duration_ms: 300,
    stream: 1,
    client_aborted: 0,
    created_at: at,
    ...overrides,
  };
}

describeEachStore('usage series', (engine) => {
  test('every bucket present, sums and errors per bucket, nearest-rank TTFT p50/p95, filters', async () => {
    const store = await openStore(await engine.fresh());
    try {
      const rows: UsageTable[] = [];
      // Minute 0: TTFT 1..20 ms → p50 = 10th = 10, p95 = 19th = 19; one error among them.
      for (let i = 1; i <= 20; i++) {
        rows.push(row(T0 + i * 1000, { ttft_ms: i, status: i === 7 ? 'error' : 'ok' }));
      }
      // Minute 2: one request with a TTFT (both picks), one without (an error before output).
      rows.push(row(T0 + 2 * MIN + 5, { ttft_ms: 250, prompt_tokens: 7, completion_tokens: 3 }));
      rows.push(row(T0 + 2 * MIN + 9, { ttft_ms: null, status: 'error', completion_tokens: 0 }));
      // Another user and another model in minute 3; one row just outside the range.
      rows.push(row(T0 + 3 * MIN, { user_id: 'usr_b', model: 'demo/text-1', ttft_ms: 40 }));
      rows.push(row(T0 + 4 * MIN, { ttft_ms: 1 }));
      await store.db.insertInto('usage').values(rows).execute();

      const series = await usageSeries(store.db, { from: T0, to: T0 + 4 * MIN, bucketMs: MIN });
      assert.equal(series.object, 'usage_series');
      assert.equal(series.bucket_ms, MIN);
      assert.deepEqual(
        series.buckets.map((b) => b.start),
        [0, 1, 2, 3].map((i) => new Date(T0 + i * MIN).toISOString()),
      );
      assert.deepEqual(series.buckets[0], {
        start: new Date(T0).toISOString(),
        requests: 20,
        prompt_tokens: 200,
        completion_tokens: 100,
        errors: 1,
        ttft_p50_ms: 10,
        ttft_p95_ms: 19,
      });
      assert.deepEqual(series.buckets[1], {
        start: new Date(T0 + MIN).toISOString(),
        requests: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        errors: 0,
        ttft_p50_ms: null,
        ttft_p95_ms: null,
      });
      assert.deepEqual(
        { ...series.buckets[2], start: undefined },
        {
          start: undefined,
          requests: 2,
          prompt_tokens: 17,
          completion_tokens: 3,
          errors: 1,
          ttft_p50_ms: 250,
          ttft_p95_ms: 250,
        },
      );
      assert.equal(series.buckets[3]?.requests, 1);

      const forB = await usageSeries(store.db, {
        from: T0,
        to: T0 + 4 * MIN,
        bucketMs: MIN,
        userId: 'usr_b',
      });
      assert.deepEqual(
        forB.buckets.map((b) => b.requests),
        [0, 0, 0, 1],
      );
      assert.equal(forB.buckets[3]?.ttft_p95_ms, 40);
      const byModel = await usageSeries(store.db, {
        from: T0,
        to: T0 + 5 * MIN,
        bucketMs: 5 * MIN,
        model: 'demo/fast-1',
      });
      assert.equal(byModel.buckets.length, 1);
      assert.equal(byModel.buckets[0]?.requests, 23);
      // A partial last bucket is still a bucket.
      const partial = await usageSeries(store.db, { from: T0, to: T0 + MIN + 1, bucketMs: MIN });
      assert.equal(partial.buckets.length, 2);
    } finally {
      await store.close();
    }
  });

  test('bounded: more than 2000 buckets, an empty range or a bad bucket is a 400', async () => {
    const store = await openStore(await engine.fresh());
    try {
      const ok = await usageSeries(store.db, { from: T0, to: T0 + MAX_SERIES_BUCKETS * MIN, bucketMs: MIN });
      assert.equal(ok.buckets.length, MAX_SERIES_BUCKETS);
      assert.ok(ok.buckets.every((b) => b.requests === 0 && b.ttft_p50_ms === null));
      for (const query of [
        { from: T0, to: T0 + (MAX_SERIES_BUCKETS + 1) * MIN, bucketMs: MIN },
        { from: T0, to: T0, bucketMs: MIN },
        { from: T0 + MIN, to: T0, bucketMs: MIN },
        { from: T0, to: T0 + MIN, bucketMs: 0 },
      ]) {
        await assert.rejects(
          usageSeries(store.db, query),
          (error: { status?: number }) => error.status === 400,
        );
      }
    } finally {
      await store.close();
    }
  });
});
