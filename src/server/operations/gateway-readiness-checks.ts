import { type Kysely, sql } from 'kysely';
import type { ModelCatalog } from '../../pipeline/model-catalog.ts';
import type { Database } from '../../store/schema.ts';
import type { ReadinessCheck } from './readiness.ts';

/**
 * What the gateway needs to serve: its store answers, some site lists at least one model, with
 * account pools at least one account can serve, and — with Redis-backed admission that fails
 * closed — Redis is reachable (fail-open only degrades).
 */
export function gatewayReadinessChecks(deps: {
  db: Kysely<Database>;
  catalog: ModelCatalog;
  admission?: { health(): { store: string; status: string; policy: string } } | undefined;
  /** With account pools: whether any pool has an account that can serve (enabled, logged in, not banned). */
  accountsServiceable?: (() => boolean) | undefined;
}): ReadinessCheck[] {
  const admission: ReadinessCheck[] = deps.admission
    ? [
        {
          name: 'admission',
          check: async () => {
            const health = deps.admission!.health();
            if (health.status === 'down' && health.policy === 'fail-closed') {
              throw new Error(`admission store (${health.store}) unreachable; policy fail-closed`);
            }
          },
        },
      ]
    : [];
  const accounts: ReadinessCheck[] = deps.accountsServiceable
    ? [
        {
          name: 'accounts',
          check: async () => {
            if (!deps.accountsServiceable?.()) {
              throw new Error('no site account can serve (all removed, disabled, banned or needing login)');
            }
          },
        },
      ]
    : [];
  return [
    ...admission,
    ...accounts,
    {
      name: 'store',
      check: async () => {
        await sql`select 1`.execute(deps.db);
      },
    },
    {
      name: 'sites',
      check: async (signal) => {
        const models = await deps.catalog.list(signal);
        if (models.length === 0) throw new Error('no site lists any model');
      },
    },
  ];
}
