import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { startGateway } from '../gateway.ts';
import { isBrowserTeardownError } from '../transports/browser/browser-teardown-error.ts';
import { formatBanner } from './format-banner.ts';

const USAGE = `Usage: webchat-gateway <command> [options]

Commands:
  serve                          Start the gateway (default: on the embedded demo site)
  check <site-id|recipe.yaml>    Probe a site with a live session and print what works
  record <url> --out site.yaml   Record one chat in Chromium and draft a recipe for the site

Options:
  -c, --config     Path to a YAML/JSON config file (or GATEWAY_CONFIG)
  -h, --help       Show this help

Environment: HOST, PORT, GATEWAY_API_KEY, GATEWAY_DATA_DIR, GATEWAY_CONFIG, LOG_LEVEL`;

async function main(argv: string[]): Promise<number> {
  // Subcommands with their own options parse their own arguments.
  if (argv[0] === 'check') return (await import('./commands/check-command.ts')).run(argv.slice(1));
  if (argv[0] === 'record') return (await import('./commands/record-command.ts')).run(argv.slice(1));
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
  process.on('unhandledRejection', (reason) => {
    if (!isBrowserTeardownError(reason)) throw reason;
    gateway.logger.warn({ err: reason }, 'a browser call failed after its page went away; ignored');
  });
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
