import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from '../../test/support/store-engines.ts';
import { openStore } from '../store/open-store.ts';
import { createQuotaLedger, type UsageRecord } from './quota-ledger.ts';

function record(userId: string, requestId: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId,
    userId,
    keyId: 'k1',
    dialect: 'openai',
    model: 'demo/fast-1',
    promptTokens: 10,
    completionTokens: 5,
    reasoningTokens: 0,
    promptMeasured: false,
    completionMeasured: true,
    reasoningMeasured: false,
    status: 'ok',
    durationMs: 3,
    stream: true,
    clientAborted: false,
    at: new Date('2026-12-07T06:00:00Z'),
    ...overrides,
  };
}

async function addUser(db: Awaited<ReturnType<typeof openStore>>['db'], id: string, quota: number | null) {
  await db
    .insertInto('users')
    .values({
      id,
      name: id,
      status: 'active',
      token_quota: quota,
      used_tokens: 0,
      reserved_tokens: 0,
      limits_json: null,
      created_at: 0,
      last_active_at: null,
      deleted_at: null,
    })
    .execute();
}

describeEachStore('quota ledger', (engine) => {
  test('250 concurrent reserve/settle at a small quota never overshoot; usage sums to used_tokens', async () => {
    const store = await openStore(await engine.fresh());
    try {
      await addUser(store.db, 'alice', 1_000);
      const ledger = createQuotaLedger(store.db, { holdMs: 60_000 });
      let refused = 0;
      await Promise.all(
        Array.from({ length: 250 }, async (_, i) => {
          const held = await ledger.reserve('alice', 30);
          if (held === undefined) {
            refused += 1;
            return;
          }
          // Some finish under the estimate, some fail before output (refund), some exceed it (clamped).
          const charge = i % 5 === 0 ? 0 : i % 7 === 0 ? 45 : 20;
          await ledger.settle(
            held,
            record('alice', `r${i}`, { status: charge === 0 ? 'error' : 'ok' }),
            charge,
          );
        }),
      );
      const user = await store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', 'alice')
        .executeTakeFirstOrThrow();
      const sum = await store.db
        .selectFrom('usage')
        .select((eb) => eb.fn.sum<number>('charged_tokens').as('total'))
        .where('user_id', '=', 'alice')
        .executeTakeFirstOrThrow();
      const daily = await store.db
        .selectFrom('usage_daily')
        .selectAll()
        .where('user_id', '=', 'alice')
        .executeTakeFirstOrThrow();
      assert.ok(user.used_tokens <= 1_000, `charged ${user.used_tokens} > quota`);
      assert.ok(refused > 0, 'a small quota must refuse some of 250 requests');
      assert.equal(Number(sum.total), user.used_tokens);
      assert.equal(daily.charged_tokens, user.used_tokens);
      assert.equal(daily.requests, 250 - refused);
      assert.equal(user.reserved_tokens, 0);
      const left = await store.db.selectFrom('quota_reservations').selectAll().execute();
      assert.deepEqual(left, []);
    } finally {
      await store.close();
    }
  });

  test('paused users and unlimited quotas; expired reservations are reconciled', async () => {
    const store = await openStore(await engine.fresh());
    try {
      await addUser(store.db, 'bob', null);
      await addUser(store.db, 'carol', 100);
      await store.db.updateTable('users').set({ status: 'paused' }).where('id', '=', 'carol').execute();
      const ledger = createQuotaLedger(store.db, { holdMs: 1_000 });
      assert.equal(await ledger.reserve('carol', 1), undefined);
      assert.equal(await ledger.reserve('nobody', 1), undefined);
      const held = await ledger.reserve('bob', 1_000_000_000, new Date(0));
      assert.ok(held);
      assert.equal(await ledger.reconcile({ now: new Date(500) }), 0);
      assert.equal(await ledger.reconcile({ now: new Date(2_000) }), 1);
      const bob = await store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', 'bob')
        .executeTakeFirstOrThrow();
      assert.equal(bob.reserved_tokens, 0);
      // Settling after the reservation was reconciled still records the usage, releases nothing twice.
      await ledger.settle(held, record('bob', 'late'), 7);
      const after = await store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', 'bob')
        .executeTakeFirstOrThrow();
      assert.equal(after.reserved_tokens, 0);
      assert.equal(after.used_tokens, 7);
    } finally {
      await store.close();
    }
  });
});
