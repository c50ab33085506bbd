/**
 * The newest rows of the per-request `usage` ledger with their user's name and key's display
 * prefix, filtered by user, key prefix, model and status: what the dashboard's Requests page lists.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';

export interface RecentUsageFilter {
  userId?: string | undefined;
  /** The start of a key's display prefix (`wcg-3fA9`); a trailing `…` is ignored. */
  keyPrefix?: string | undefined;
  model?: string | undefined;
  status?: string | undefined;
  limit: number;
}

export async function recentUsage(db: Kysely<Database>, filter: RecentUsageFilter) {
  let query = db
    .selectFrom('usage')
    .leftJoin('users', 'users.id', 'usage.user_id')
    .leftJoin('api_keys', 'api_keys.id', 'usage.key_id')
    .select([
      'usage.request_id',
      'usage.created_at',
      'usage.user_id',
      'users.name as user_name',
      'api_keys.prefix as key_prefix',
      'usage.model',
      'usage.dialect',
      'usage.site_id',
      'usage.account_id',
      'usage.status',
      'usage.error_type',
      'usage.prompt_tokens',
      'usage.completion_tokens',
      'usage.ttft_ms',
      'usage.duration_ms',
      'usage.stream',
    ]);
  if (filter.userId) query = query.where('usage.user_id', '=', filter.userId);
  if (filter.model) query = query.where('usage.model', '=', filter.model);
  if (filter.status) query = query.where('usage.status', '=', filter.status);
  const prefix = filter.keyPrefix?.replace(/…$/, '');
  if (prefix) {
    // A plain comparison of the first characters: no LIKE wildcards, the same in SQLite and Postgres.
    query = query.where(sql<string>`substr(${sql.ref('api_keys.prefix')}, 1, ${prefix.length})`, '=', prefix);
  }
  const rows = await query.orderBy('usage.created_at', 'desc').limit(filter.limit).execute();
  return rows.map((row) => ({
    ...row,
    created_at: Number(row.created_at),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    ttft_ms: row.ttft_ms === null ? null : Number(row.ttft_ms),
    duration_ms: Number(row.duration_ms),
  }));
}

export type RecentUsageRow = Awaited<ReturnType<typeof recentUsage>>[number];

/** The models seen in the ledger, for a filter's choices. */
export async function usageModels(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('usage').select('model').distinct().orderBy('model').limit(500).execute();
  return rows.map((row) => row.model);
}

/**
 * When each of a user's keys last made a request, from the ledger (the key rows' own
 * `last_used_at` is not kept up to date on the request path).
 */
export async function keysLastUsed(db: Kysely<Database>, userId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('usage')
    .select((eb) => ['key_id', eb.fn.max('created_at').as('last')])
    .where('user_id', '=', userId)
    .groupBy('key_id')
    .execute();
  return new Map(rows.map((row) => [row.key_id, Number(row.last)]));
}
