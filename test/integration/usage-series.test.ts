/**
 * `GET /admin/api/usage/series` end to end: requests made with a users-table key through the
 * OpenAI SDK show in the current minute's bucket with their tokens and TTFT; buckets start on
 * whole UTC minutes; filters by user and model; bad or oversized queries are 400s naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { UsageSeries } from '../../src/multi-user/usage-series.ts';
import { type Stack, startStack } from '../support/start-stack.ts';

const ADMIN_TOKEN = 'admin-token-for-series-0123456789';

describe('usage series (admin API)', () => {
  let stack: Stack;
  let userId: string;
  const admin = async (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) => {
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${stack.url}/admin/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    stack = await startStack({ config: { adminToken: ADMIN_TOKEN } });
    userId = (await admin('POST', '/users', { name: 'charts' })).body.id as string;
    const key = (await admin('POST', `/users/${userId}/keys`, {})).body.key as string;
    const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: key, maxRetries: 0 });
    for (const content of ['one', 'two']) {
      const stream = await client.chat.completions.create({
        model: 'demo/fast-1',
        stream: true,
        messages: [{ role: 'user', content }],
      });
      for await (const _chunk of stream);
    }
  });
  after(() => stack.close());

  test('the requests are in the current minute, with tokens and TTFT; buckets on whole minutes', async () => {
    const { status, body } = await admin('GET', '/usage/series?bucket=minute');
    assert.equal(status, 200);
    const series = body as unknown as UsageSeries;
    assert.equal(series.bucket_ms, 60_000);
    assert.ok(series.buckets.length === 60 || series.buckets.length === 61, String(series.buckets.length));
    for (const bucket of series.buckets) assert.equal(Date.parse(bucket.start) % 60_000, 0);
    const total = series.buckets.reduce((sum, bucket) => sum + bucket.requests, 0);
    assert.equal(total, 2);
    const busy = series.buckets.filter((bucket) => bucket.requests > 0);
    assert.ok(busy.every((bucket) => bucket.prompt_tokens > 0 && bucket.completion_tokens > 0));
    assert.ok(busy.every((bucket) => typeof bucket.ttft_p50_ms === 'number' && bucket.ttft_p95_ms !== null));
    assert.ok(Date.now() - Date.parse(busy.at(-1)!.start) < 120_000);
  });

  test('filters by user and model; hour and day buckets by default span a day and 30 days', async () => {
    const sum = (series: Record<string, unknown>) =>
      (series as unknown as UsageSeries).buckets.reduce((total, bucket) => total + bucket.requests, 0);
    assert.equal(sum((await admin('GET', `/usage/series?user=${userId}`)).body), 2);
    assert.equal(sum((await admin('GET', '/usage/series?user=usr_nobody')).body), 0);
    assert.equal(sum((await admin('GET', '/usage/series?model=demo/fast-1&bucket=day')).body), 2);
    assert.equal(sum((await admin('GET', '/usage/series?model=demo/text-1')).body), 0);
    const hours = (await admin('GET', '/usage/series')).body as unknown as UsageSeries;
    assert.equal(hours.bucket_ms, 3_600_000);
    assert.ok(hours.buckets.length >= 24 && hours.buckets.length <= 25);
    const days = (await admin('GET', '/usage/series?bucket=day')).body as unknown as UsageSeries;
    assert.ok(days.buckets.length >= 30 && days.buckets.length <= 31);
    const range = (
      await admin('GET', '/usage/series?bucket=hour&from=2026-01-01T00:30:00Z&to=2026-01-01T03:00:00Z')
    ).body as unknown as UsageSeries;
    assert.deepEqual(
      range.buckets.map((bucket) => bucket.start),
      ['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z'],
    );
  });

  test('400 naming the field: over 2000 buckets, a bad bucket, a reversed range; 401 without the token', async () => {
    const threeDays = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const cases: Array<[string, string]> = [
      [`/usage/series?bucket=minute&from=${threeDays}`, 'bucket'],
      ['/usage/series?bucket=week', 'bucket'],
      ['/usage/series?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['/usage/series?from=yesterday', 'from'],
    ];
    for (const [path, param] of cases) {
      const { status, body } = await admin('GET', path);
      assert.equal(status, 400, path);
      assert.equal((body.error as { param?: string }).param, param, path);
    }
    assert.equal((await admin('GET', '/usage/series', undefined, null)).status, 401);
    assert.equal((await admin('GET', '/usage/series', undefined, stack.key)).status, 401);
  });
});
