// Starts the demo site and a gateway pointed at it in this process, prints their URLs as JSON,
// and serves until killed. Benchmarks run it as a child so the load generator does not share
// its event loop.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoSite } from '../../demo-site/src/index.ts';
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';

const fastChunks = Number(process.env.FAST_CHUNKS ?? 200);
const demo = await startDemoSite({
  control: true,
  fastChunks,
  rateLimitPerMinute: 1_000_000,
  dailyQuotaPerModel: 10_000_000,
  maxConcurrentGenerations: 1024,
});
const key = 'bench-key-0123456789abcdef';
const gateway = await startGateway(
  GatewayConfigSchema.parse({
    server: { host: '127.0.0.1', port: 0 },
    dataDir: await mkdtemp(join(tmpdir(), 'wcg-bench-')),
    apiKeys: [{ key, user: 'bench', name: 'bench' }],
    sites: [{ id: 'demo', kind: 'demo', embedded: false, baseUrl: demo.url }],
    logLevel: 'silent',
  }),
  { logger: createLogger('silent') },
);
console.log(JSON.stringify({ demoUrl: demo.url, gatewayUrl: gateway.url, key, pid: process.pid }));
process.on('SIGTERM', () => {
  void gateway
    .close()
    .then(() => demo.close())
    .then(() => process.exit(0));
});
