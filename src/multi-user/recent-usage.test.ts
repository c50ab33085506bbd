import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeEachStore } from '../../test/support/store-engines.ts';
import { openStore } from '../store/open-store.ts';
import type { UsageTable } from '../store/schema.ts';
import { keysLastUsed, recentUsage, usageModels } from './recent-usage.ts';
import { createUsersRepository } from './users-repository.ts';

describeEachStore('recent usage for the dashboard', (engine) => {
  let store: Awaited<ReturnType<typeof openStore>>;
  const ids: { ann: string; bob: string; annKey: string; annPrefix: string; bobKey: string } = {
    ann: '',
    bob: '',
    annKey: '',
    annPrefix: '',
    bobKey: '',
  };

  const row = (overrides: Partial<UsageTable>): UsageTable => ({
    request_id: `req_${Math.random().toString(36).slice(2)}`,
    user_id: ids.ann,
    key_id: ids.annKey,
    dialect: 'openai',
    model: 'demo/fast-1',
    site_id: 'demo',
    account_id: 'one',
    prompt_tokens: 10,
    completion_tokens: 5,
    reasoning_tokens: 0,
    prompt_measured: 0,
    completion_measured: 0,
    reasoning_measured: 0,
    charged_tokens: 15,
    status: 'ok',
    error_type: null,
    ttft_ms: 40,
    duration_ms: 90,
    stream: 1,
    client_aborted: 0,
    created_at: 1_000,
    ...overrides,
  });

  before(async () => {
    store = await openStore(await engine.fresh());
    const users = createUsersRepository(store.db);
    ids.ann = (await users.createUser('test', 'ann', null)).id;
    ids.bob = (await users.createUser('test', 'bob', null)).id;
    const annKey = await users.createKey('test', ids.ann, { name: 'a' });
    ids.annKey = annKey.id;
    ids.annPrefix = annKey.prefix;
    ids.bobKey = (await users.createKey('test', ids.bob, { name: 'b' })).id;
    await store.db
      .insertInto('usage')
      .values([
        row({ created_at: 1_000 }),
        row({
          created_at: 2_000,
          model: 'demo/text-1',
          status: 'error',
          error_type: 'upstream',
          ttft_ms: null,
        }),
        row({ created_at: 3_000, user_id: ids.bob, key_id: ids.bobKey }),
      ])
      .execute();
  });
  after(() => store.close());

  test('newest first, with the user name and key prefix', async () => {
    const rows = await recentUsage(store.db, { limit: 10 });
    assert.deepEqual(
      rows.map((r) => [r.created_at, r.user_name, r.model]),
      [
        [3_000, 'bob', 'demo/fast-1'],
        [2_000, 'ann', 'demo/text-1'],
        [1_000, 'ann', 'demo/fast-1'],
      ],
    );
    assert.equal(rows[1]?.key_prefix, ids.annPrefix);
    assert.equal(rows[1]?.ttft_ms, null);
    assert.equal((await recentUsage(store.db, { limit: 1 })).length, 1);
  });

  test('filters by user, key prefix (with or without the ellipsis), model and status', async () => {
    const count = async (filter: Parameters<typeof recentUsage>[1]) =>
      (await recentUsage(store.db, filter)).length;
    assert.equal(await count({ limit: 10, userId: ids.ann }), 2);
    assert.equal(await count({ limit: 10, keyPrefix: ids.annPrefix }), 2);
    assert.equal(await count({ limit: 10, keyPrefix: ids.annPrefix.replace(/…$/, '') }), 2);
    assert.equal(await count({ limit: 10, keyPrefix: 'wcg-%' }), 0, 'no LIKE wildcards');
    assert.equal(await count({ limit: 10, model: 'demo/text-1' }), 1);
    assert.equal(await count({ limit: 10, status: 'error' }), 1);
    assert.equal(await count({ limit: 10, userId: ids.bob, status: 'error' }), 0);
  });

  test('models seen, and when each key was last used', async () => {
    assert.deepEqual(await usageModels(store.db), ['demo/fast-1', 'demo/text-1']);
    assert.deepEqual([...(await keysLastUsed(store.db, ids.ann))], [[ids.annKey, 2_000]]);
  });
});
