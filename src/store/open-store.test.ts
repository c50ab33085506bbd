import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { describeEachStore } from '../../test/support/store-engines.ts';
import { storeConfigFrom } from './dialect.ts';
import { openStore } from './open-store.ts';

const TABLES = [
  'account_health',
  'api_keys',
  'audit_log',
  'conversation_threads',
  'quota_reservations',
  'site_accounts',
  'stored_response_items',
  'stored_responses',
  'usage',
  'usage_daily',
  'users',
];

describeEachStore('openStore', (engine) => {
  test('creates every table, migrates once and parses bigint as number', async () => {
    const config = await engine.fresh();
    const store = await openStore(config);
    const tables = await store.db.introspection.getTables();
    assert.deepEqual(tables.map((t) => t.name).sort(), TABLES);
    await store.db
      .insertInto('stored_responses')
      .values({
        id: 'resp_1',
        key_id: 'k',
        model: 'm',
        created_at: 1_765_000_000_123,
        expires_at: 2,
        request_messages_json: '[]',
        output_json: '[]',
      })
      .execute();
    const row = await store.db.selectFrom('stored_responses').select('created_at').executeTakeFirstOrThrow();
    assert.equal(row.created_at, 1_765_000_000_123);
    if (engine.name === 'postgres') {
      await store.close();
      const again = await openStore(config);
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        again.db,
      );
      assert.deepEqual(
        applied.rows.map((r) => r.name),
        ['001-initial', '002-response-items', '003-multi-user', '004-account-pool'],
      );
      await again.close();
    } else {
      await store.close();
    }
  });
});

describe('openStore (sqlite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wcg-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('creates the data directory, keeps data across reopen and migrates only once', async () => {
    const path = join(dir, 'nested', 'gateway.sqlite');
    const first = await openStore({ kind: 'sqlite', path });
    await first.db
      .insertInto('users')
      .values({
        id: 'u1',
        name: 'alice',
        status: 'active',
        token_quota: null,
        used_tokens: 0,
        reserved_tokens: 0,
        created_at: 1,
        limits_json: null,
        last_active_at: null,
        deleted_at: null,
      })
      .execute();
    await first.close();

    const second = await openStore({ kind: 'sqlite', path });
    const row = await second.db.selectFrom('users').select('name').executeTakeFirst();
    assert.equal(row?.name, 'alice');
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      second.db,
    );
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      ['001-initial', '002-response-items', '003-multi-user', '004-account-pool'],
    );
    await second.close();
  });
});

test('the database and its WAL are owner-only (0600), its new directory 0700', async () => {
  const { mkdtemp, rm, stat } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'wcg-store-mode-'));
  const path = join(dir, 'data', 'gateway.sqlite');
  const store = await openStore({ kind: 'sqlite', path });
  await store.db.selectFrom('stored_responses').selectAll().execute();
  for (const file of [path, `${path}-wal`]) {
    assert.equal((await stat(file)).mode & 0o777, 0o600, file);
  }
  assert.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700);
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('storeConfigFrom', () => {
  test('DATABASE_URL picks Postgres, anything else the SQLite file', () => {
    assert.deepEqual(storeConfigFrom('postgres://u@h/db', '/d/g.sqlite'), {
      kind: 'postgres',
      url: 'postgres://u@h/db',
    });
    assert.deepEqual(storeConfigFrom('postgresql://h/db', '/x'), {
      kind: 'postgres',
      url: 'postgresql://h/db',
    });
    assert.deepEqual(storeConfigFrom(undefined, '/d/g.sqlite'), { kind: 'sqlite', path: '/d/g.sqlite' });
  });
});
