/**
 * `GET /admin/api/usage`: totals and grouped rows from the per-request `usage` ledger, filtered by
 * user, key, model and time. Grouping is done in SQL for `model` / `user`; for `day` the rows are
 * bucketed by UTC day in code, because date functions differ between SQLite and Postgres.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export interface UsageFilter {
  userId?: string | undefined;
  keyId?: string | undefined;
  model?: string | undefined;
  /** Epoch ms, inclusive. */
  from?: number | undefined;
  /** Epoch ms, exclusive. */
  to?: number | undefined;
  groupBy?: 'day' | 'model' | 'user' | 'account' | undefined;
}

export interface UsageTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  charged_tokens: number;
  errors: number;
}

export interface UsageReport {
  object: 'usage_report';
  filter: Record<string, string | null>;
  totals: UsageTotals;
  group_by: 'day' | 'model' | 'user' | 'account' | null;
  rows: Array<
    UsageTotals & {
      day?: string;
      model?: string;
      user_id?: string;
      site_id?: string | null;
      account_id?: string | null;
    }
  >;
}

const ZERO: UsageTotals = {
  requests: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  reasoning_tokens: 0,
  charged_tokens: 0,
  errors: 0,
};

/** At most this many rows are bucketed by day in code; past it, narrow `from`/`to`. */
const MAX_DAY_ROWS = 200_000;

export async function usageReport(db: Kysely<Database>, filter: UsageFilter): Promise<UsageReport> {
  let query = db.selectFrom('usage');
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
  if (filter.model !== undefined) query = query.where('model', '=', filter.model);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);

  const sums = query.select((eb) => [
    eb.fn.countAll<number>().as('requests'),
    eb.fn.coalesce(eb.fn.sum<number>('prompt_tokens'), eb.lit(0)).as('prompt_tokens'),
    eb.fn.coalesce(eb.fn.sum<number>('completion_tokens'), eb.lit(0)).as('completion_tokens'),
    eb.fn.coalesce(eb.fn.sum<number>('reasoning_tokens'), eb.lit(0)).as('reasoning_tokens'),
    eb.fn.coalesce(eb.fn.sum<number>('charged_tokens'), eb.lit(0)).as('charged_tokens'),
    eb.fn
      .coalesce(eb.fn.sum<number>(eb.case().when('status', '=', 'error').then(1).else(0).end()), eb.lit(0))
      .as('errors'),
  ]);
  const totals = toTotals(await sums.executeTakeFirstOrThrow());

  let rows: UsageReport['rows'] = [];
  if (filter.groupBy === 'account') {
    // Which site account served what (null: a site without a pool, or refused before any account).
    const grouped = await sums
      .select(['site_id', 'account_id'])
      .groupBy(['site_id', 'account_id'])
      .orderBy('site_id')
      .orderBy('account_id')
      .execute();
    rows = grouped.map((row) => ({ site_id: row.site_id, account_id: row.account_id, ...toTotals(row) }));
  } else if (filter.groupBy === 'model' || filter.groupBy === 'user') {
    const column = filter.groupBy === 'model' ? 'model' : 'user_id';
    const grouped = await sums.select(column).groupBy(column).orderBy(column).execute();
    rows = grouped.map((row) => ({ [column]: String(row[column as keyof typeof row]), ...toTotals(row) }));
  } else if (filter.groupBy === 'day') {
    const raw = await query
      .select([
        'created_at',
        'prompt_tokens',
        'completion_tokens',
        'reasoning_tokens',
        'charged_tokens',
        'status',
      ])
      .orderBy('created_at')
      .limit(MAX_DAY_ROWS)
      .execute();
    const byDay = new Map<string, UsageTotals>();
    for (const row of raw) {
      const day = new Date(Number(row.created_at)).toISOString().slice(0, 10);
      const bucket = byDay.get(day) ?? { ...ZERO };
      bucket.requests++;
      bucket.prompt_tokens += Number(row.prompt_tokens);
      bucket.completion_tokens += Number(row.completion_tokens);
      bucket.reasoning_tokens += Number(row.reasoning_tokens);
      bucket.charged_tokens += Number(row.charged_tokens);
      if (row.status === 'error') bucket.errors++;
      byDay.set(day, bucket);
    }
    rows = [...byDay].map(([day, bucket]) => ({ day, ...bucket }));
  }
  return {
    object: 'usage_report',
    filter: {
      user: filter.userId ?? null,
      key: filter.keyId ?? null,
      model: filter.model ?? null,
      from: filter.from === undefined ? null : new Date(filter.from).toISOString(),
      to: filter.to === undefined ? null : new Date(filter.to).toISOString(),
    },
    totals,
    group_by: filter.groupBy ?? null,
    rows,
  };
}

function toTotals(row: Record<string, unknown>): UsageTotals {
  return {
    requests: Number(row.requests),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    reasoning_tokens: Number(row.reasoning_tokens),
    charged_tokens: Number(row.charged_tokens),
    errors: Number(row.errors),
  };
}
