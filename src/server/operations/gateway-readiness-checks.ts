import { type Kysely, sql } from 'kysely';
import type { ModelCatalog } from '../../pipeline/model-catalog.ts';
import type { Database } from '../../store/schema.ts';
import type { ReadinessCheck } from './readiness.ts';

/**
 * What the gateway needs to serve: its store answers, some site lists at least one model, and —
 * with Redis-backed admission that fails closed — Redis is reachable (fail-open only degrades).
 */
export function gatewayReadinessChecks(deps: {
  db: Kysely<Database>;
  catalog: ModelCatalog;
  admission?: { health(): { store: string; status: string; policy: string } } | undefined;
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
  return [
    ...admission,
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
