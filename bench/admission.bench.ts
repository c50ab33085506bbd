/**
 * Admission cost and queue behaviour, in one run. By hand: `node --import tsx bench/admission.bench.ts`.
 * - Overhead: wall time of `admit` + `release` (RPM, TPM and concurrency limits on global, user and
 *   key scopes, plus a free account slot), at c=1 and c=256, for memory, Redis on loopback, and off.
 * - Queue throughput: 1,000 requests queued over a 4-slot account, each holding its slot one macrotask.
 * - Fairness: Jain's index over two users' grants while both are backlogged, under a 10:1 skew.
 */
import { loadavg, cpus } from 'node:os';
import { startRedisServer } from '../test/support/redis-server.ts';
import { AdmissionConfigSchema } from '../src/admission/admission-config.ts';
import { type Admission, createAdmission } from '../src/admission/admission.ts';
import { FairQueue } from '../src/admission/fair-queue.ts';
import { MemorySlotPool } from '../src/admission/slot-pool.ts';
import { createLogger } from '../src/core/logger.ts';

const logger = createLogger('silent');
const signal = new AbortController().signal;
const config = AdmissionConfigSchema.parse({
  global: { rpm: 100_000_000, tpm: 1_000_000_000, maxConcurrent: 100_000 },
  defaults: { user: { rpm: 100_000_000, tpm: 1_000_000_000 }, key: { rpm: 100_000_000 } },
  accounts: { sites: { demo: { maxConcurrent: 100_000 } } },
});

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function overhead(admission: Admission | undefined, concurrency: number, total: number) {
  const samples: number[] = [];
  let next = 0;
  const worker = async (w: number) => {
    while (next < total) {
      next++;
      const started = performance.now();
      if (admission) {
        const ticket = await admission.admit({
          principal: { userId: `u${w % 16}`, keyId: `k${w % 16}`, keyName: 'bench' },
          siteId: 'demo',
          reservedTokens: 100,
          signal,
        });
        ticket.release(80);
      } else {
        await Promise.resolve();
      }
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 0.5), p99: pct(samples, 0.99) };
}

async function queueThroughput() {
  const q = new FairQueue(
    {
      pool: new MemorySlotPool(4),
      maxQueuedPerUser: 1000,
      maxQueuedTotal: 1000,
      maxWaitMs: 60_000,
      minSpacingMs: 0,
      pollMs: 1000,
    },
    { onGranted: () => {}, onRejected: () => {} },
  );
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      q.acquire(`u${i % 10}`, signal).then(
        (lease) =>
          new Promise<void>((r) =>
            setImmediate(() => {
              lease.release();
              r();
            }),
          ),
      ),
    ),
  );
  return 1000 / ((performance.now() - started) / 1000);
}

async function jain() {
  const q = new FairQueue(
    {
      pool: new MemorySlotPool(4),
      maxQueuedPerUser: 1000,
      maxQueuedTotal: 2000,
      maxWaitMs: 60_000,
      minSpacingMs: 0,
      pollMs: 1000,
    },
    { onGranted: () => {}, onRejected: () => {} },
  );
  const grants: string[] = [];
  const submit = (user: string, n: number) =>
    Array.from({ length: n }, () =>
      q.acquire(user, signal).then((lease) => {
        grants.push(user);
        return new Promise<void>((r) =>
          setImmediate(() => {
            lease.release();
            r();
          }),
        );
      }),
    );
  await Promise.all([...submit('heavy', 500), ...submit('light', 50)]);
  // While both are backlogged: up to the light user's last grant.
  const window = grants.slice(0, grants.lastIndexOf('light') + 1);
  const x = ['heavy', 'light'].map((u) => window.filter((g) => g === u).length);
  const sum = x[0]! + x[1]!;
  return (sum * sum) / (2 * (x[0]! ** 2 + x[1]! ** 2));
}

const redis = await startRedisServer();
const memory = createAdmission(config, { logger, redisUrl: undefined });
const shared = createAdmission(config, { logger, redisUrl: redis.url });
for (let i = 0; i < 100 && shared.health().status !== 'ok'; i++) await new Promise((r) => setTimeout(r, 20));
console.log(
  `machine: ${cpus()[0]?.model} ×${cpus().length}, node ${process.version}, ${new Date().toISOString()}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| store | c | p50 ms | p99 ms |\n|---|---|---|---|');
for (const [name, admission] of [
  ['off', undefined],
  ['memory', memory],
  ['redis', shared],
] as const) {
  for (const c of [1, 256]) {
    await overhead(admission, c, 500); // warm-up
    const r = await overhead(admission, c, c === 1 ? 3000 : 6000);
    console.log(`| ${name} | ${c} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} |`);
  }
}
console.log(
  `queue throughput (1,000 queued, 4 slots, memory): ${(await queueThroughput()).toFixed(0)} grants/s`,
);
console.log(`Jain's fairness index, 10:1 skew: ${(await jain()).toFixed(4)}`);
await memory.close();
await shared.close();
await redis.close();
