import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { startGateway } from '../gateway.ts';
import { formatBanner } from './format-banner.ts';

const USAGE = `Usage: webchat-gateway <command> [options]

Commands:
  serve            Start the gateway (default: on the embedded demo site)

Options:
  -c, --config     Path to a YAML/JSON config file (or GATEWAY_CONFIG)
  -h, --help       Show this help

Environment: HOST, PORT, GATEWAY_API_KEY, GATEWAY_DATA_DIR, GATEWAY_CONFIG, LOG_LEVEL`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'serve') {
    console.error(`Unknown command '${command}'.\n\n${USAGE}`);
    return 2;
  }
  const config = await loadConfig({ path: values.config });
  const gateway = await startGateway(config);
  console.log(formatBanner(gateway, config));
  const shutdown = async (signal: string) => {
    gateway.logger.info({ signal }, 'shutting down');
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
