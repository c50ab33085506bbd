import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { eventually, startStack } from '../support/start-stack.ts';
import { embedDemoSite } from '../../src/cli/embed-demo-site.ts';

describe('health and readiness endpoints', () => {
  test('/healthz and /readyz answer without a key; ready when the store answers and the site lists models', async () => {
    const stack = await startStack();
    try {
      const health = await fetch(`${stack.url}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`${stack.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        checks: { admission: 'ok', store: 'ok', sites: 'ok' },
      });
    } finally {
      await stack.close();
    }
  });

  test('not ready while no site can list its models', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wcg-readyz-'));
    // A port nothing listens on: the demo site is down.
    const config = GatewayConfigSchema.parse({
      server: { host: '127.0.0.1', port: 0 },
      dataDir,
      apiKeys: [{ key: 'test-key-0123456789abcdef' }],
      sites: [{ id: 'demo', kind: 'demo', embedded: false, baseUrl: 'http://127.0.0.1:9' }],
      logLevel: 'silent',
    });
    const gateway = await startGateway(config, { embedDemoSite, logger: createLogger('silent') });
    try {
      const ready = await fetch(`${gateway.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), {
        status: 'not_ready',
        checks: { admission: 'ok', store: 'ok', sites: 'failed' },
      });
      assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    } finally {
      await gateway.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('readiness follows the admission store', () => {
  test('Redis down with fail-closed → not ready (admission failed); back up → ready again', async () => {
    const redis = await startRedisServer();
    const stack = await startStack({
      config: { admission: { redisUrl: redis.url, onStoreError: 'fail-closed' } },
    });
    const readiness = async () =>
      (await (await fetch(`${stack.url}/readyz`)).json()) as { checks: Record<string, string> };
    try {
      // The Redis client connects in the background right after start.
      await eventually(
        async () => ((await readiness()).checks.admission === 'ok' ? true : undefined),
        10_000,
      );
      await redis.stop();
      await eventually(
        async () => ((await readiness()).checks.admission === 'failed' ? true : undefined),
        10_000,
      );
      const down = await fetch(`${stack.url}/readyz`);
      assert.equal(down.status, 503);
      await redis.start();
      await eventually(
        async () => ((await readiness()).checks.admission === 'ok' ? true : undefined),
        10_000,
      );
    } finally {
      await stack.close();
      await redis.close();
    }
  });
});
