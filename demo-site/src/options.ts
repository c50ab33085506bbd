export interface DemoAccountConfig {
  username: string;
  password: string;
}

export type DemoLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface DemoSiteOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  accounts: DemoAccountConfig[];
  /** Enables the `/__control/*` endpoints (test switches). Never on for a real deployment. */
  control: boolean;
  sessionTtlSeconds: number;
  /** Sends (`/api/chat`, `/api/messages`) per account per rolling minute. */
  rateLimitPerMinute: number;
  /** Accepted sends per account per model per UTC day. */
  dailyQuotaPerModel: number;
  maxConcurrentGenerations: number;
  maxUploadBytes: number;
  maxInputChars: number;
  /** Pause after each word for the ordinary models; 0 still yields to the event loop between words. */
  wordDelayMs: number;
  slowWordDelayMs: number;
  fastChunks: number;
  logLevel: DemoLogLevel;
  /** The login needs a token from `GET /auth/csrf` first (src/format2/login-csrf.ts). */
  loginCsrf: boolean;
  /** `POST /api/v2/chat` takes the whole conversation with inline `data:` images (src/format2/). */
  conversationApi: boolean;
  /** The app page keeps the open chat's id in sessionStorage only, never in the URL (src/format2/). */
  storageThreadId: boolean;
}

export const DEFAULT_ACCOUNTS: readonly DemoAccountConfig[] = [
  { username: 'demo', password: 'demo-password' },
  // More accounts of the same site, for account pools (rotation, failover) against the demo.
  { username: 'demo-2', password: 'demo-2-password' },
  { username: 'demo-3', password: 'demo-3-password' },
];

export const DEFAULT_OPTIONS: Readonly<DemoSiteOptions> = {
  host: '127.0.0.1',
  port: 0,
  accounts: [...DEFAULT_ACCOUNTS],
  control: false,
  sessionTtlSeconds: 3600,
  rateLimitPerMinute: 600,
  dailyQuotaPerModel: 10_000,
  maxConcurrentGenerations: 4,
  maxUploadBytes: 10 * 1024 * 1024,
  maxInputChars: 100_000,
  wordDelayMs: 5,
  slowWordDelayMs: 50,
  fastChunks: 200,
  logLevel: 'warn',
  loginCsrf: false,
  conversationApi: false,
  storageThreadId: false,
};

export function resolveOptions(partial: Partial<DemoSiteOptions> = {}): DemoSiteOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const options: DemoSiteOptions = {
    ...DEFAULT_OPTIONS,
    accounts: [...DEFAULT_OPTIONS.accounts],
    ...defined,
  };
  if (options.accounts.length === 0) throw new Error('demo-site: at least one account is required');
  for (const key of [
    'rateLimitPerMinute',
    'dailyQuotaPerModel',
    'maxConcurrentGenerations',
    'fastChunks',
  ] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new Error(`demo-site: ${key} must be a positive integer`);
    }
  }
  return options;
}
