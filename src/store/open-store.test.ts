import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from './open-store.ts';

describe('openStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wcg-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('creates every table in memory', async () => {
    const store = await openStore({ kind: 'sqlite', path: ':memory:' });
    const tables = await store.db.introspection.getTables();
    const names = tables.map((t) => t.name).sort();
    assert.deepEqual(names, ['conversation_threads', 'stored_responses']);
    await store.close();
  });

  test('creates the data directory, keeps data across reopen and migrates only once', async () => {
    const path = join(dir, 'nested', 'gateway.sqlite');
    const first = await openStore({ kind: 'sqlite', path });
    await first.db
      .insertInto('stored_responses')
      .values({
        id: 'resp_1',
        key_id: 'k',
        model: 'm',
        created_at: 1,
        expires_at: 2,
        request_messages_json: '[]',
        output_json: '[]',
      })
      .execute();
    await first.close();

    const second = await openStore({ kind: 'sqlite', path });
    const row = await second.db.selectFrom('stored_responses').select('id').executeTakeFirst();
    assert.equal(row?.id, 'resp_1');
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(second.db);
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      ['001-initial'],
    );
    await second.close();
  });
});
