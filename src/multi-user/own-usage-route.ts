/**
 * `GET /v1/usage`: the calling key's own totals (from the usage ledger) and its user's quota.
 * Owner (static) keys have no ledger rows and an unlimited quota.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../store/schema.ts';
import type { MultiUserPrincipal } from './store-authenticator.ts';

export function registerOwnUsageRoute(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/v1/usage', { config: { auth: 'api-key' } }, async (request) => {
    const principal = request.principal as MultiUserPrincipal & Principal;
    const totals = await db
      .selectFrom('usage')
      .select((eb) => [
        eb.fn.countAll<number>().as('requests'),
        eb.fn.coalesce(eb.fn.sum<number>('prompt_tokens'), eb.lit(0)).as('prompt_tokens'),
        eb.fn.coalesce(eb.fn.sum<number>('completion_tokens'), eb.lit(0)).as('completion_tokens'),
        eb.fn.coalesce(eb.fn.sum<number>('charged_tokens'), eb.lit(0)).as('charged_tokens'),
      ])
      .where('key_id', '=', principal.keyId)
      .executeTakeFirstOrThrow();
    const user = principal.metered
      ? await db.selectFrom('users').selectAll().where('id', '=', principal.userId).executeTakeFirst()
      : undefined;
    const quota = user?.token_quota ?? null;
    return {
      object: 'usage',
      key_id: principal.keyId,
      user_id: principal.userId,
      key: {
        requests: Number(totals.requests),
        prompt_tokens: Number(totals.prompt_tokens),
        completion_tokens: Number(totals.completion_tokens),
        charged_tokens: Number(totals.charged_tokens),
      },
      user_used_tokens: user?.used_tokens ?? 0,
      token_quota: quota,
      remaining_tokens:
        quota === null || user === undefined
          ? null
          : Math.max(0, quota - user.used_tokens - user.reserved_tokens),
    };
  });
}
