/**
 * A gateway in its own process for multi-instance tests: `node --import tsx gateway-process.ts '<config json>'`.
 * Prints `LISTENING <url>` once up; closes on SIGTERM.
 */
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';
import { embedDemoSite } from '../../src/cli/embed-demo-site.ts';

const config = GatewayConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const gateway = await startGateway(config, {
  embedDemoSite,
  logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
});
process.stdout.write(`LISTENING ${gateway.url}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
