/**
 * Multi-user overhead per request: authenticate (store key, cached) + reserve + settle, against the
 * single-user path (static-key authenticate only), on SQLite (WAL file) and a throwaway Postgres,
 * at c=1 and c=64. Prints p50/p99 per request and settled requests/s.
 * Run: node --import tsx bench/multi-user-overhead.bench.ts [requests=2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiKeyRegistry } from '../src/auth/api-key-registry.ts';
import { createQuotaLedger } from '../src/multi-user/quota-ledger.ts';
import { createStoreAuthenticator } from '../src/multi-user/store-authenticator.ts';
import { createUsersRepository } from '../src/multi-user/users-repository.ts';
import type { StoreConfig } from '../src/store/dialect.ts';
import { openStore } from '../src/store/open-store.ts';
import { startPostgres } from '../test/support/postgres-server.ts';

const total = Number(process.argv[2] ?? 2000);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function run(label: string, config: StoreConfig): Promise<void> {
  const store = await openStore(config);
  const users = createUsersRepository(store.db);
  const user = await users.createUser('bench', `u${Date.now()}`, null);
  const { key } = await users.createKey('bench', user.id, { name: 'b' });
  const staticKeys = new ApiKeyRegistry([{ key: 'owner-key-0123456789', user: 'owner', name: 'o' }]);
  const auth = createStoreAuthenticator(staticKeys, users);
  const ledger = createQuotaLedger(store.db, { holdMs: 600_000 });
  let n = 0;
  const multi = async () => {
    const p = await auth.authenticate(key);
    if (!p) throw new Error('auth');
    const r = await ledger.reserve(p.userId, 500);
    if (!r) throw new Error('quota');
    n += 1;
    await ledger.settle(
      r,
      {
        requestId: `${label}-${n}-${Math.random()}`,
        userId: p.userId,
        keyId: p.keyId,
        dialect: 'openai',
        model: 'demo/fast-1',
        promptTokens: 100,
        completionTokens: 50,
        reasoningTokens: 0,
        promptMeasured: false,
        completionMeasured: false,
        reasoningMeasured: false,
        status: 'ok',
        durationMs: 1,
        stream: true,
        clientAborted: false,
        at: new Date(),
      },
      150,
    );
  };
  const single = async () => {
    if (!(await auth.authenticate('owner-key-0123456789'))) throw new Error('auth');
  };
  for (const [path, fn] of [
    ['single-user', single],
    ['multi-user', multi],
  ] as const) {
    for (const c of [1, 64]) {
      const times: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (next < total) {
            next += 1;
            const t = performance.now();
            await fn();
            times.push(performance.now() - t);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      times.sort((a, b) => a - b);
      console.log(
        `${label.padEnd(8)} ${path.padEnd(11)} c=${String(c).padEnd(3)} p50 ${pct(times, 50).toFixed(3)} ms  p99 ${pct(times, 99).toFixed(3)} ms  ${(total / seconds).toFixed(0)} req/s`,
      );
    }
  }
  await store.close();
}

const dir = mkdtempSync(join(tmpdir(), 'wcg-bench-'));
try {
  await run('sqlite', { kind: 'sqlite', path: join(dir, 'bench.sqlite') });
  const pg = await startPostgres();
  try {
    await run('postgres', { kind: 'postgres', url: await pg.createDatabase(), poolSize: 20 });
  } finally {
    await pg.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
