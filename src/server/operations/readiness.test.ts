import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { createLogger } from '../../core/logger.ts';
import { type ReadinessCheck, registerReadiness } from './readiness.ts';

async function readyz(checks: ReadinessCheck[], draining = false) {
  const app = Fastify();
  registerReadiness(app, checks, {
    logger: createLogger('silent'),
    draining: () => draining,
    checkTimeoutMs: 100,
  });
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  await app.close();
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('/readyz', () => {
  test('200 when every check passes', async () => {
    const result = await readyz([
      { name: 'store', check: () => undefined },
      { name: 'sites', check: async () => undefined },
    ]);
    assert.deepEqual(result, {
      status: 200,
      body: { status: 'ready', checks: { store: 'ok', sites: 'ok' } },
    });
  });

  test('503 naming the failing check, without its error message', async () => {
    const result = await readyz([
      { name: 'store', check: () => undefined },
      {
        name: 'redis',
        check: async () => {
          throw new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.5');
        },
      },
    ]);
    assert.deepEqual(result, {
      status: 503,
      body: { status: 'not_ready', checks: { store: 'ok', redis: 'failed' } },
    });
  });

  test('a check that hangs (even one ignoring its signal) fails on time instead of hanging the probe', async () => {
    const started = Date.now();
    const result = await readyz([
      { name: 'store', check: () => undefined },
      { name: 'hangs', check: () => new Promise<void>(() => undefined) },
    ]);
    assert.deepEqual(result, {
      status: 503,
      body: { status: 'not_ready', checks: { store: 'ok', hangs: 'failed' } },
    });
    assert.ok(Date.now() - started < 2_000);
  });

  test('a draining gateway is not ready', async () => {
    const result = await readyz([{ name: 'store', check: () => undefined }], true);
    assert.deepEqual(result, { status: 503, body: { status: 'shutting_down', checks: {} } });
  });
});
