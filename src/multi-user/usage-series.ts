/**
 * `GET /admin/api/usage/series`: the `usage` ledger as a time series for charts — requests, tokens,
 * errors and TTFT p50/p95 per fixed bucket, every bucket present (zeros) from `from` to `to`.
 * Everything is computed in SQL that SQLite and Postgres both run: the bucket is an integer
 * division of `created_at`, and the percentiles are nearest-rank picks by `row_number()` over each
 * bucket, so at most two TTFT rows per bucket leave the database however many requests it holds.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { GatewayError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';

export interface UsageSeriesQuery {
  /** Epoch ms, inclusive: the first bucket starts here. */
  from: number;
  /** Epoch ms, exclusive: the last bucket is the one holding `to - 1`. */
  to: number;
  bucketMs: number;
  userId?: string | undefined;
  model?: string | undefined;
}

export interface UsageSeriesBucket {
  start: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  errors: number;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}

export interface UsageSeries {
  object: 'usage_series';
  bucket_ms: number;
  buckets: UsageSeriesBucket[];
}

/** More buckets than a chart can show are refused (a 400), so one call stays cheap. */
export const MAX_SERIES_BUCKETS = 2000;

export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export async function usageSeries(db: Kysely<Database>, query: UsageSeriesQuery): Promise<UsageSeries> {
  const { from, to, bucketMs } = query;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || !(to > from)) {
    throw new GatewayError('invalid_request', "Invalid range: 'from' must be before 'to'.", {
      param: 'from',
    });
  }
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) {
    throw new GatewayError('invalid_request', "Invalid 'bucket': a positive number of ms.", {
      param: 'bucket',
    });
  }
  const count = Math.ceil((to - from) / bucketMs);
  if (count > MAX_SERIES_BUCKETS) {
    throw new GatewayError(
      'invalid_request',
      `The range holds ${count} buckets; at most ${MAX_SERIES_BUCKETS} are served: narrow it or use a larger bucket.`,
      { param: 'bucket' },
    );
  }

  const filters: RawBuilder<unknown>[] = [sql`created_at >= ${from}`, sql`created_at < ${to}`];
  if (query.userId !== undefined) filters.push(sql`user_id = ${query.userId}`);
  if (query.model !== undefined) filters.push(sql`model = ${query.model}`);
  const where = sql.join(filters, sql` and `);
  // Integer on both engines: bigint division in Postgres, a truncating cast of SQLite's quotient.
  const bucket = sql`cast((created_at - ${from}) / ${bucketMs} as integer)`;

  const sums = await sql<Record<string, unknown>>`
    select bucket, count(*) as requests,
      coalesce(sum(prompt_tokens), 0) as prompt_tokens,
      coalesce(sum(completion_tokens), 0) as completion_tokens,
      coalesce(sum(case when status = 'error' then 1 else 0 end), 0) as errors
    from (select ${bucket} as bucket, prompt_tokens, completion_tokens, status from usage where ${where}) as scoped
    group by bucket`.execute(db);

  // Nearest rank: the p-th percentile of n sorted values is the ceil(p·n)-th, in integer arithmetic.
  const ranks = await sql<Record<string, unknown>>`
    select bucket, ttft_ms, rn, n from (
      select bucket, ttft_ms,
        row_number() over (partition by bucket order by ttft_ms) as rn,
        count(*) over (partition by bucket) as n
      from (select ${bucket} as bucket, ttft_ms from usage where ${where} and ttft_ms is not null) as timed
    ) as ranked
    where rn = (n * 50 + 99) / 100 or rn = (n * 95 + 99) / 100`.execute(db);

  const buckets: UsageSeriesBucket[] = Array.from({ length: count }, (_, index) => ({
    start: new Date(from + index * bucketMs).toISOString(),
    requests: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    errors: 0,
    ttft_p50_ms: null,
    ttft_p95_ms: null,
  }));
  for (const row of sums.rows) {
    const target = buckets[Number(row.bucket)];
    if (!target) continue;
    target.requests = Number(row.requests);
    target.prompt_tokens = Number(row.prompt_tokens);
    target.completion_tokens = Number(row.completion_tokens);
    target.errors = Number(row.errors);
  }
  for (const row of ranks.rows) {
    const target = buckets[Number(row.bucket)];
    if (!target) continue;
    const n = Number(row.n);
    const rank = Number(row.rn);
    // One row can be both picks (n = 1), so each is checked on its own.
    if (rank === Math.floor((n * 50 + 99) / 100)) target.ttft_p50_ms = Number(row.ttft_ms);
    if (rank === Math.floor((n * 95 + 99) / 100)) target.ttft_p95_ms = Number(row.ttft_ms);
  }
  return { object: 'usage_series', bucket_ms: bucketMs, buckets };
}

/** The start of the UTC bucket holding `at` (minutes, hours and days all divide epoch time evenly). */
export function bucketStart(at: number, bucketMs: number): number {
  return Math.floor(at / bucketMs) * bucketMs;
}
