import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../core/logger.ts';
import { createAccountPace } from './account-pace.ts';
import { FairQueue } from './fair-queue.ts';
import { MemorySlotPool, type SlotLease } from './slot-pool.ts';

const queue = (slots: number, options: Partial<ConstructorParameters<typeof FairQueue>[0]> = {}) => {
  const rejected: string[] = [];
  const q = new FairQueue(
    {
      pool: new MemorySlotPool(slots),
      maxQueuedPerUser: 100,
      maxQueuedTotal: 1000,
      maxWaitMs: 5000,
      minSpacingMs: 0,
      pollMs: 1000,
      ...options,
    },
    { onGranted: () => {}, onRejected: (reason) => rejected.push(reason) },
  );
  return { q, rejected };
};
const never = new AbortController().signal;

test('a newcomer is served before a heavy user’s backlog', async () => {
  const { q } = queue(1);
  const order: string[] = [];
  const leases: Promise<SlotLease>[] = [];
  for (let i = 0; i < 5; i++)
    leases.push(
      q.acquire('a', never).then((l) => {
        order.push(`a${i}`);
        return l;
      }),
    );
  await new Promise((r) => setImmediate(r));
  leases.push(
    q.acquire('b', never).then((l) => {
      order.push('b0');
      return l;
    }),
  );
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setImmediate(r));
    const next = await Promise.race(leases.map((p, at) => p.then(() => at)));
    const [lease] = leases.splice(next, 1);
    (await lease)?.release();
  }
  assert.deepEqual(order, ['a0', 'b0', 'a1', 'a2', 'a3', 'a4']);
});

test('depth limits, deadline and abort', async () => {
  const { q, rejected } = queue(1, { maxQueuedPerUser: 1, maxQueuedTotal: 2, maxWaitMs: 50 });
  const held = await q.acquire('a', never);
  const waiting = q.acquire('a', never);
  await assert.rejects(q.acquire('a', never), /Too many of your requests/);
  const gone = new AbortController();
  const aborted = q.acquire('b', gone.signal);
  await assert.rejects(q.acquire('c', never), /queue is full/);
  gone.abort(new Error('client gone'));
  await assert.rejects(aborted, /client gone/);
  await assert.rejects(waiting, /Timed out waiting/);
  assert.deepEqual(rejected, ['queue_full_user', 'queue_full', 'aborted', 'queue_timeout']);
  assert.equal(q.queued, 0);
  held.release();
  (await q.acquire('a', never)).release();
});

test('minimum spacing between turns', async () => {
  const { q } = queue(5, { minSpacingMs: 40 });
  const started = Date.now();
  const times: number[] = [];
  await Promise.all([0, 1, 2].map(() => q.acquire('a', never).then(() => times.push(Date.now() - started))));
  assert.ok(times[1]! >= 38 && times[2]! >= 78, `starts at ${times.join(',')}`);
});

test('an account pace (turns per window) holds turns over it in the queue, then lets them start', async () => {
  const pace = createAccountPace({
    rpm: 2,
    account: 'pace-test:default',
    policy: 'fail-closed',
    logger: createLogger('silent'),
    windowSeconds: 1,
  });
  const { q, rejected } = queue(4, { pace });
  const granted: number[] = [];
  const leases = Array.from({ length: 4 }, (_, i) =>
    q.acquire(`u${i}`, never).then((lease) => {
      granted.push(i);
      return lease;
    }),
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(granted.length, 2, 'two turns start at once, the other two wait for the window');
  assert.equal(q.queued, 2);
  assert.equal(q.active, 2);
  for (const lease of await Promise.all(leases)) lease.release();
  assert.equal(granted.length, 4);
  assert.deepEqual(rejected, []);
});

test('a pace point taken while no slot is free is given back', async () => {
  const pace = createAccountPace({
    rpm: 3,
    account: 'pace-giveback:default',
    policy: 'fail-closed',
    logger: createLogger('silent'),
    windowSeconds: 30,
  });
  const { q } = queue(1, { pace, pollMs: 10 });
  const first = await q.acquire('a', never);
  const second = q.acquire('b', never);
  // The queue polls every 10 ms while the slot is held: each poll counts a start and gives it back.
  await new Promise((r) => setTimeout(r, 100));
  first.release();
  (await second).release();
  assert.equal(await pace.take(), 0, 'two starts counted in the window, not one per poll');
  assert.ok((await pace.take()) > 0);
});
