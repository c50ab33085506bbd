/**
 * Every environment variable the gateway reads, in one table: `docs/configuration.md` documents
 * exactly these (a test keeps the two in step) and the compose validation test refuses a compose
 * file that sets a variable nobody reads. `loadConfig` is the reader of the `config loader` rows.
 */
export interface EnvVar {
  name: string;
  /** The config key it overrides, when it maps onto one. */
  configKey?: string;
  /** Who reads it: the config loader, another module, or work on another branch not merged yet. */
  readBy: 'config loader' | 'browser transport' | 'demo-site CLI' | 'gateway startup' | 'upcoming';
  description: string;
}

export const ENV_VARS: readonly EnvVar[] = [
  {
    name: 'GATEWAY_CONFIG',
    readBy: 'config loader',
    description: 'Path to a YAML or JSON config file (same as `--config`).',
  },
  {
    name: 'HOST',
    configKey: 'server.host',
    readBy: 'config loader',
    description: 'Listen address. Anything but loopback requires an API key.',
  },
  { name: 'PORT', configKey: 'server.port', readBy: 'config loader', description: 'Listen port (0 = any).' },
  {
    name: 'GATEWAY_API_KEY',
    configKey: 'apiKeys[0]',
    readBy: 'config loader',
    description: 'An API key for the owner (at least 16 characters), put before any configured keys.',
  },
  {
    name: 'GATEWAY_DATA_DIR',
    configKey: 'dataDir',
    readBy: 'config loader',
    description: 'Where the SQLite store, generated key, signing secret and browser profiles live.',
  },
  {
    name: 'LOG_LEVEL',
    configKey: 'logLevel',
    readBy: 'config loader',
    description: '`fatal` … `trace` or `silent`; logs are JSON lines on stdout.',
  },
  {
    name: 'GATEWAY_SHUTDOWN_GRACE_MS',
    configKey: 'server.shutdownGraceMs',
    readBy: 'config loader',
    description: 'On SIGTERM/SIGINT, how long in-flight requests may run before they are ended.',
  },
  {
    name: 'CHROME_PATH',
    configKey: 'browser.executablePath',
    readBy: 'browser transport',
    description: 'Chromium for `transport: browser` sites when the config names none.',
  },
  {
    name: 'DEMO_HOST',
    readBy: 'demo-site CLI',
    description: 'Listen address of the stand-alone demo site (`demo-site` command).',
  },
  { name: 'DEMO_PORT', readBy: 'demo-site CLI', description: 'Its port (default 4100).' },
  {
    name: 'DEMO_CONTROL',
    readBy: 'demo-site CLI',
    description: '`1` enables its `/__control/*` test switches. Never expose it.',
  },
  { name: 'DEMO_LOG_LEVEL', readBy: 'demo-site CLI', description: 'Its log level.' },
  // Read by work in flight on other branches (issues 17–19); the rows land here so compose files and
  // docs can already name them. Each becomes a `config loader` row when its reader is merged.
  {
    name: 'DATABASE_URL',
    configKey: 'databaseUrl',
    readBy: 'config loader',
    description: 'Postgres connection URL (`postgres://…`); unset = SQLite in the data dir.',
  },
  {
    name: 'GATEWAY_ADMIN_TOKEN',
    configKey: 'adminToken',
    readBy: 'config loader',
    description:
      'Token for `/admin/api` (≥ 16 characters); unset = generated on first start into `<dataDir>/admin-token` and printed once.',
  },
  {
    name: 'GATEWAY_METRICS_TOKEN',
    configKey: 'metricsToken',
    readBy: 'config loader',
    description:
      'Token (≥ 16 characters) a Prometheus scraper sends for `/metrics`; it opens nothing else. The admin token opens `/metrics` too.',
  },
  {
    name: 'REDIS_URL',
    configKey: 'admission.redisUrl',
    readBy: 'config loader',
    description: 'Redis for rate limits and account slots shared across instances (issue 18).',
  },
  {
    name: 'GATEWAY_SECRET_KEY',
    readBy: 'gateway startup',
    description:
      'Master key (32 bytes, base64 or hex) sealing site credentials and saved browser sessions; unset = generated into `<dataDir>/secret-keys.json` (docs/secrets.md).',
  },
  {
    name: 'GATEWAY_SECRET_KEY_PREVIOUS',
    readBy: 'gateway startup',
    description:
      'Older master keys (comma-separated) that still decrypt during a rotation (docs/secrets.md).',
  },
];

/** Variables whose value is a secret: never put in an image or a committed file. */
export const SECRET_ENV_VARS: ReadonlySet<string> = new Set([
  'GATEWAY_API_KEY',
  'GATEWAY_ADMIN_TOKEN',
  'GATEWAY_METRICS_TOKEN',
  'GATEWAY_SECRET_KEY',
  'GATEWAY_SECRET_KEY_PREVIOUS',
  'DATABASE_URL',
]);
