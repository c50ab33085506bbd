/**
 * Token quotas, reserve then settle. `reserve` holds an estimate (prompt + max output) with one
 * conditional UPDATE that only succeeds while used + reserved + estimate fits the quota, so
 * concurrent requests can never overshoot it (SQLite serialises writers; Postgres re-checks the
 * WHERE clause on the locked row). `settle` releases the hold and charges what was really used —
 * never more than was held — writing the usage row and the daily roll-up in the same transaction,
 * so `users.used_tokens` always equals the sum of the user's `usage.charged_tokens`.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, UsageTable } from '../store/schema.ts';

export interface Reservation {
  id: string;
  userId: string;
  tokens: number;
}

/** What one finished (or failed, or aborted) request used, as the ledger records it. */
export interface UsageRecord {
  requestId: string;
  userId: string;
  keyId: string;
  dialect: string;
  model: string;
  siteId?: string | undefined;
  accountId?: string | undefined;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  promptMeasured: boolean;
  completionMeasured: boolean;
  reasoningMeasured: boolean;
  status: 'ok' | 'error' | 'aborted';
  errorType?: string | undefined;
  ttftMs?: number | undefined;
  durationMs: number;
  stream: boolean;
  clientAborted: boolean;
  at: Date;
}

export interface QuotaLedger {
  /** Holds `tokens` for the user; undefined when they do not fit (or the user is not active). */
  reserve(userId: string, tokens: number, now?: Date): Promise<Reservation | undefined>;
  /**
   * Releases the reservation and charges `chargeTokens` (clamped to what was held): the full
   * usage when the request finished, what was produced when the client aborted, 0 on an error
   * before any output. Returns the tokens charged.
   */
  settle(reservation: Reservation, record: UsageRecord, chargeTokens: number): Promise<number>;
  /**
   * Releases reservations that expired (a crashed process), or every reservation when `all`
   * (SQLite: only this process reserves in its file), and recomputes users.reserved_tokens.
   */
  reconcile(options?: { all?: boolean; now?: Date }): Promise<number>;
}

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function createQuotaLedger(db: Kysely<Database>, options: { holdMs: number }): QuotaLedger {
  return {
    async reserve(userId, tokens, now = new Date()) {
      const held = Math.max(0, Math.ceil(tokens));
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('users')
          .set((eb) => ({ reserved_tokens: eb('reserved_tokens', '+', held) }))
          .where('id', '=', userId)
          .where('status', '=', 'active')
          .where('deleted_at', 'is', null)
          .where((eb) =>
            eb.or([
              eb('token_quota', 'is', null),
              eb(
                eb(eb(eb.ref('used_tokens'), '+', eb.ref('reserved_tokens')), '+', held),
                '<=',
                eb.ref('token_quota'),
              ),
            ]),
          )
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return undefined;
        const id = randomUUID();
        await trx
          .insertInto('quota_reservations')
          .values({
            id,
            user_id: userId,
            tokens: held,
            created_at: now.getTime(),
            expires_at: now.getTime() + options.holdMs,
          })
          .execute();
        return { id, userId, tokens: held };
      });
    },

    async settle(reservation, record, chargeTokens) {
      return db.transaction().execute(async (trx) => {
        const released = await trx
          .deleteFrom('quota_reservations')
          .where('id', '=', reservation.id)
          .returning('tokens')
          .executeTakeFirst();
        // A reservation reconciled away (expired) no longer counts in reserved_tokens.
        const held = released === undefined ? 0 : Number(released.tokens);
        const charged = Math.max(0, Math.min(Math.ceil(chargeTokens), reservation.tokens));
        await trx
          .updateTable('users')
          .set((eb) => ({
            reserved_tokens: eb('reserved_tokens', '-', held),
            used_tokens: eb('used_tokens', '+', charged),
            last_active_at: record.at.getTime(),
          }))
          .where('id', '=', reservation.userId)
          .execute();
        await recordUsage(trx, record, charged);
        return charged;
      });
    },

    async reconcile({ all = false, now = new Date() } = {}) {
      return db.transaction().execute(async (trx) => {
        let query = trx.deleteFrom('quota_reservations');
        if (!all) query = query.where('expires_at', '<=', now.getTime());
        const result = await query.executeTakeFirst();
        await trx
          .updateTable('users')
          .set((eb) => ({
            reserved_tokens: eb.fn.coalesce(
              eb
                .selectFrom('quota_reservations')
                .select((s) => s.fn.sum<number>('tokens').as('held'))
                .whereRef('quota_reservations.user_id', '=', 'users.id'),
              eb.lit(0),
            ),
          }))
          .execute();
        return Number(result.numDeletedRows);
      });
    },
  };
}

/** The usage row and its daily roll-up; call inside the settling transaction. */
async function recordUsage(trx: Transaction<Database>, record: UsageRecord, charged: number): Promise<void> {
  const row: UsageTable = {
    request_id: record.requestId,
    user_id: record.userId,
    key_id: record.keyId,
    dialect: record.dialect,
    model: record.model,
    site_id: record.siteId ?? null,
    account_id: record.accountId ?? null,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    reasoning_tokens: record.reasoningTokens,
    prompt_measured: record.promptMeasured ? 1 : 0,
    completion_measured: record.completionMeasured ? 1 : 0,
    reasoning_measured: record.reasoningMeasured ? 1 : 0,
    charged_tokens: charged,
    status: record.status,
    error_type: record.errorType ?? null,
    ttft_ms: record.ttftMs ?? null,
    duration_ms: Math.round(record.durationMs),
    stream: record.stream ? 1 : 0,
    client_aborted: record.clientAborted ? 1 : 0,
    created_at: record.at.getTime(),
  };
  await trx.insertInto('usage').values(row).execute();
  const errors = record.status === 'error' ? 1 : 0;
  await trx
    .insertInto('usage_daily')
    .values({
      day: utcDay(record.at),
      user_id: record.userId,
      model: record.model,
      requests: 1,
      prompt_tokens: record.promptTokens,
      completion_tokens: record.completionTokens,
      reasoning_tokens: record.reasoningTokens,
      charged_tokens: charged,
      errors,
    })
    .onConflict((oc) =>
      oc.columns(['day', 'user_id', 'model']).doUpdateSet((eb) => ({
        requests: eb('usage_daily.requests', '+', 1),
        prompt_tokens: eb('usage_daily.prompt_tokens', '+', record.promptTokens),
        completion_tokens: eb('usage_daily.completion_tokens', '+', record.completionTokens),
        reasoning_tokens: eb('usage_daily.reasoning_tokens', '+', record.reasoningTokens),
        charged_tokens: eb('usage_daily.charged_tokens', '+', charged),
        errors: eb('usage_daily.errors', '+', errors),
      })),
    )
    .execute();
}
