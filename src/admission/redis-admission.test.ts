import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RedisServer, startRedisServer } from '../../test/support/redis-server.ts';
import { createLogger } from '../core/logger.ts';
import { AdmissionConfigSchema } from './admission-config.ts';
import { type Admission, createAdmission } from './admission.ts';

const principal = (userId: string) => ({ userId, keyId: `k-${userId}`, keyName: userId });
let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(() => redis.close());

const make = (overrides: Record<string, unknown> = {}): Admission =>
  createAdmission(
    AdmissionConfigSchema.parse({
      accounts: { sites: { demo: { maxConcurrent: 2 } } },
      queue: { maxWaitMs: 2000, pollMs: 10 },
      ...overrides,
    }),
    { logger: createLogger('silent'), redisUrl: redis.url },
  );

const ready = async (admission: Admission) => {
  for (let i = 0; i < 100 && admission.health().status !== 'ok'; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(admission.health().status, 'ok');
};

test('two admissions on one Redis share two account slots: never more than 2 at once', async () => {
  const [a, b] = [make(), make()];
  await Promise.all([ready(a), ready(b)]);
  let active = 0;
  let peak = 0;
  const one = async (admission: Admission, i: number) => {
    const ticket = await admission.admit({
      principal: principal(`u${i % 4}`),
      siteId: 'demo',
      reservedTokens: 10,
      signal: new AbortController().signal,
    });
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
    ticket.release(5);
  };
  await Promise.all(Array.from({ length: 40 }, (_, i) => one(i % 2 === 0 ? a : b, i)));
  assert.equal(peak, 2);
  await Promise.all([a.close(), b.close()]);
});

test('per-user RPM is shared across processes', async () => {
  const [a, b] = [make({ users: { carol: { rpm: 3 } } }), make({ users: { carol: { rpm: 3 } } })];
  await Promise.all([ready(a), ready(b)]);
  const admit = (admission: Admission) =>
    admission.admit({
      principal: principal('carol'),
      siteId: 'other',
      reservedTokens: 1,
      signal: new AbortController().signal,
    });
  const tickets = [await admit(a), await admit(b), await admit(a)];
  assert.equal(tickets[2]?.requests?.remaining, 0);
  await assert.rejects(admit(b), /requests per minute for your user/);
  for (const t of tickets) t.release();
  await Promise.all([a.close(), b.close()]);
});

test('Redis stopped mid-run: in-flight release, fail-closed says 503 fast, fail-open admits; restart recovers', async () => {
  const closed = make({ onStoreError: 'fail-closed' });
  const open = make({ onStoreError: 'fail-open' });
  await Promise.all([ready(closed), ready(open)]);
  const input = () => ({
    principal: principal('dave'),
    siteId: 'demo',
    reservedTokens: 1,
    signal: new AbortController().signal,
  });
  const inFlight = await closed.admit(input());
  await redis.stop();
  for (let i = 0; i < 100 && closed.health().status === 'ok'; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(closed.health().status, 'down');
  assert.equal(open.health().status, 'degraded');
  inFlight.release(1); // must not throw or hang
  const started = Date.now();
  await assert.rejects(closed.admit(input()), (error: Error & { status?: number }) => error.status === 503);
  assert.ok(Date.now() - started < 1500, 'fail-closed answers fast');
  const ticket = await open.admit(input());
  ticket.release();
  await redis.start();
  await Promise.all([ready(closed), ready(open)]);
  (await closed.admit(input())).release();
  await Promise.all([closed.close(), open.close()]);
});
