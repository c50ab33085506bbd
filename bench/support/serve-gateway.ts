// A gateway in its own process, pointed at the demo site URL given in DEMO_URL; prints its URL,
// key and pid as JSON.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';

const key = 'bench-key-0123456789abcdef';
const gateway = await startGateway(
  GatewayConfigSchema.parse({
    server: { host: '127.0.0.1', port: 0 },
    dataDir: await mkdtemp(join(tmpdir(), 'wcg-bench-')),
    apiKeys: [{ key, user: 'bench', name: 'bench' }],
    sites: [{ id: 'demo', kind: 'demo', embedded: false, baseUrl: process.env.DEMO_URL }],
    logLevel: 'silent',
  }),
  { logger: createLogger('silent') },
);
console.log(JSON.stringify({ gatewayUrl: gateway.url, key, pid: process.pid }));
process.on('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
