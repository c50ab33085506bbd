import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import { openSlowStream, type ServeProcess, startServeProcess } from '../support/serve-process.ts';

// `serve` as a real child process with a multi-user key: killed (SIGKILL) in the middle of
// streamed requests, restarted on the same data dir, then stopped (SIGTERM) mid-stream again.

const openStream = (served: ServeProcess, key: string) => openSlowStream(served.origin, key);

async function chat(served: ServeProcess, key: string) {
  const response = await fetch(`${served.origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo/fast-1', messages: [{ role: 'user', content: 'say hi' }] }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** The ledger's state read straight from the SQLite file. */
async function ledger(dataDir: string) {
  const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'gateway.sqlite') });
  try {
    const user = await store.db
      .selectFrom('users')
      .selectAll()
      .where('name', '=', 'restart')
      .executeTakeFirstOrThrow();
    const usage = await store.db.selectFrom('usage').select(['charged_tokens', 'status']).execute();
    const reservations = await store.db.selectFrom('quota_reservations').selectAll().execute();
    return {
      used: Number(user.used_tokens),
      reserved: Number(user.reserved_tokens),
      reservations: reservations.length,
      rows: usage.length,
      charged: usage.reduce((sum, row) => sum + Number(row.charged_tokens), 0),
    };
  } finally {
    await store.close();
  }
}

describe('a restart in the middle of streamed requests', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('SIGKILL mid-stream: settled usage survives, no reservation is left after restart; SIGTERM settles in-flight streams', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wcg-restart-'));
    dirs.push(dataDir);
    const first = await startServeProcess({ dataDir, env: { LOG_LEVEL: 'warn' } });
    assert.ok(first.adminToken, first.output());
    const admin = async (path: string, body: unknown) => {
      const response = await fetch(`${first.origin}/admin/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { id: string; key: string };
    };
    const user = await admin('/users', { name: 'restart', token_quota: 1_000_000 });
    const { key } = await admin(`/users/${user.id}/keys`, { name: 'k' });

    for (let i = 0; i < 3; i++) await chat(first, key);
    const streams = await Promise.all(Array.from({ length: 4 }, () => openStream(first, key)));
    const during = await ledger(dataDir);
    assert.equal(during.rows, 3, 'three finished requests are settled');
    assert.equal(during.reservations, 4, 'four streams hold reservations');
    assert.ok(during.reserved > 0);

    first.child.kill('SIGKILL');
    await first.exit;
    await Promise.all(streams.map((stream) => stream.rest));
    const killed = await ledger(dataDir);
    assert.equal(killed.rows, 3);
    assert.equal(killed.used, killed.charged, 'settled usage equals the ledger rows');

    const second = await startServeProcess({ dataDir, key: first.key, env: { LOG_LEVEL: 'warn' } });
    const restarted = await ledger(dataDir);
    assert.deepEqual(
      { reservations: restarted.reservations, reserved: restarted.reserved, rows: restarted.rows },
      { reservations: 0, reserved: 0, rows: 3 },
      'reconciled on start',
    );
    assert.equal(restarted.used, killed.used, 'no settled usage lost');

    await chat(second, key);
    const graceful = await Promise.all(Array.from({ length: 2 }, () => openStream(second, key)));
    second.child.kill('SIGTERM');
    assert.equal(await second.exit, 0, second.output());
    await Promise.all(graceful.map((stream) => stream.rest));
    const stopped = await ledger(dataDir);
    assert.equal(stopped.reservations, 0);
    assert.equal(stopped.reserved, 0);
    assert.equal(stopped.rows, 6, 'the finished request and both drained streams are settled');
    assert.equal(stopped.used, stopped.charged);
  });
});
