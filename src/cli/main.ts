import { parseArgs } from 'node:util';
import { ENV_VARS } from '../config/env-vars.ts';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { startGateway } from '../gateway.ts';
import { isBrowserTeardownError } from '../transports/browser/browser-teardown-error.ts';
import { formatBanner } from './format-banner.ts';
import { embedDemoSite } from './embed-demo-site.ts';

const USAGE = `Usage: webchat-gateway <command> [options]

Commands:
  serve                          Start the gateway (default: on the embedded demo site)
  check <site-id|recipe.yaml>    Probe a site with a live session and print what works
  record <url> --out site.yaml   Record one chat in Chromium and draft a recipe for the site
  users|keys|usage …             Manage users, hashed API keys and quotas (see docs/multi-user.md)
  secrets status|rotate          Keys encrypting stored site credentials; re-encrypt (docs/secrets.md)

Options:
  -c, --config     Path to a YAML/JSON config file (or GATEWAY_CONFIG)
  -h, --help       Show this help

Environment (docs/configuration.md): ${ENV_VARS.filter(
  (v) => v.readBy === 'config loader' || v.readBy === 'browser transport',
)
  .map((v) => v.name)
  .join(', ')}`;

async function main(argv: string[]): Promise<number> {
  // Subcommands with their own options parse their own arguments.
  if (argv[0] === 'check') return (await import('./commands/check-command.ts')).run(argv.slice(1));
  if (argv[0] === 'users' || argv[0] === 'keys' || argv[0] === 'usage' || argv[0] === 'audit') {
    return (await import('./commands/users-command.ts')).run(argv[0], argv.slice(1));
  }
  if (argv[0] === 'record') return (await import('./commands/record-command.ts')).run(argv.slice(1));
  if (argv[0] === 'secrets') return (await import('./commands/secrets-command.ts')).run(argv.slice(1));
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
  const gateway = await startGateway(config, { embedDemoSite });
  console.log(formatBanner(gateway, config));
  let stopping = false;
  // Stop accepting, let in-flight requests finish within server.shutdownGraceMs, end the rest with
  // an error event, then close sites, browser and store. A second signal exits at once.
  const shutdown = async (signal: string) => {
    if (stopping) {
      gateway.logger.warn({ signal }, 'second signal during shutdown; exiting now');
      process.exit(1);
    }
    stopping = true;
    gateway.logger.info({ signal, graceMs: config.server.shutdownGraceMs }, 'shutting down');
    try {
      await gateway.close();
      gateway.logger.info('shut down cleanly');
      process.exit(0);
    } catch (error) {
      gateway.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('unhandledRejection', (reason) => {
    if (!isBrowserTeardownError(reason)) throw reason;
    gateway.logger.warn({ err: reason }, 'a browser call failed after its page went away; ignored');
  });
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
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
