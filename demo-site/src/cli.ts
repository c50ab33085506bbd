import { parseArgs } from 'node:util';
import { DEFAULT_ACCOUNTS, type DemoLogLevel, startDemoSite } from './index.ts';

const HELP = `Usage: npm run demo-site -- [--port 4100] [--host 127.0.0.1] [--control] [--log-level info]

Starts the demo chat site on its own. Environment: DEMO_PORT, DEMO_HOST, DEMO_CONTROL=1, DEMO_LOG_LEVEL.
--control enables the /__control/* test switches (faults, stats, reset). Never expose it.`;

const LOG_LEVELS: readonly DemoLogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function fail(message: string): never {
  console.error(`demo-site: ${message}\n\n${HELP}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    control: { type: 'boolean' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const port = Number(values.port ?? process.env.DEMO_PORT ?? 4100);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`invalid port: ${values.port ?? process.env.DEMO_PORT}`);
const logLevel = values['log-level'] ?? process.env.DEMO_LOG_LEVEL ?? 'info';
const level = LOG_LEVELS.find((candidate) => candidate === logLevel);
if (!level) fail(`invalid log level: ${logLevel}`);

const site = await startDemoSite({
  port,
  host: values.host ?? process.env.DEMO_HOST ?? '127.0.0.1',
  control: values.control ?? process.env.DEMO_CONTROL === '1',
  logLevel: level,
});
const account = DEFAULT_ACCOUNTS[0];
console.log(`Demo chat site: ${site.url}`);
if (account) console.log(`Log in as ${account.username} / ${account.password}`);
if (site.options.control) console.log(`Control endpoints on: ${site.url}/__control/stats`);

const shutdown = () => {
  site.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
