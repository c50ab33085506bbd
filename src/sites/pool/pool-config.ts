import { z } from 'zod';
import { ProxyUrlSchema } from '../kit/proxy-url.ts';
import type { HealthPolicy } from './account-health.ts';

export { maskProxyUrl } from '../kit/proxy-url.ts';

/** Account ids are unique across sites: the admin API addresses an account by id alone. */
export const AccountIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'account ids are lowercase letters, digits, dashes and underscores');

/**
 * What the pool itself reads of an account. The entry's other keys are the kind's own settings for
 * this account (credentials, cookies, proxy…): they override the site entry's for this account and
 * are checked against the kind's schema.
 */
export const PoolAccountFieldsSchema = z.object({
  id: AccountIdSchema,
  enabled: z.boolean().default(true),
  /** Share of new conversations under the `weighted` strategy. */
  weight: z.number().int().min(1).max(1000).default(1),
  /** Site model ids this account may serve; absent = every model the account's site lists. */
  models: z.array(z.string().min(1)).min(1).optional(),
  /** Generations at once on this account; unset = the browser default, or unlimited over HTTP. */
  maxConcurrent: z.number().int().positive().optional(),
  /** The account's own pace: turns it may start in any 60 s (its site's limit for one login). */
  rpm: z.number().int().positive().max(100_000).optional(),
  /** The account's own pace: least time between two of its turns' starts. */
  minSpacingMs: z.number().int().min(0).max(3_600_000).optional(),
  /** The account's HTTP(S)/SOCKS5 proxy: its HTTP transport and its browser context use it. */
  proxy: ProxyUrlSchema.optional(),
});

export const POOL_FIELDS = [
  'id',
  'enabled',
  'weight',
  'models',
  'maxConcurrent',
  'rpm',
  'minSpacingMs',
  'proxy',
] as const;

export const PoolAccountSchema = PoolAccountFieldsSchema.catchall(z.unknown());
export type PoolAccountConfig = z.infer<typeof PoolAccountFieldsSchema> & Record<string, unknown>;

/** A site entry's `pool` section (docs/account-pool.md). */
export const PoolSettingsSchema = z
  .object({
    strategy: z.enum(['round-robin', 'least-busy', 'weighted']).default('round-robin'),
    /** Accounts tried for one request before the error reaches the caller. */
    maxAttempts: z.number().int().min(1).max(20).default(3),
    /** Bound on the time spent failing over before the first byte. */
    failoverTimeoutMs: z.number().int().positive().default(60_000),
    /** When every account for a model is cooling down, wait this long at most for the earliest. */
    maxWaitMs: z.number().int().min(0).default(30_000),
    /** Session probe interval per account (jittered by ±20 %). */
    keepAliveSeconds: z.number().int().positive().default(1800),
    /** Transient failures (5xx, network, stall) within `transientWindowSeconds` that cool a model. */
    transientFailures: z.number().int().min(1).default(3),
    transientWindowSeconds: z.number().int().positive().default(60),
    transientCooldownSeconds: z.number().int().positive().default(60),
    /** Exponential back-off bounds for a rate limit that names no reset time. */
    backoffMinMs: z.number().int().positive().default(1000),
    backoffMaxMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000),
    /** How often an instance reads the health other instances wrote to the shared store. */
    syncSeconds: z.number().int().positive().default(5),
  })
  .strict();
export type PoolSettings = z.infer<typeof PoolSettingsSchema>;
export const POOL_DEFAULTS: PoolSettings = PoolSettingsSchema.parse({});

/** The health rules a pool's settings give (each account's back-off jittered by ±20 %). */
export function healthPolicyOf(settings: PoolSettings): HealthPolicy {
  return {
    backoffMinMs: settings.backoffMinMs,
    backoffMaxMs: settings.backoffMaxMs,
    transientFailures: settings.transientFailures,
    transientWindowMs: settings.transientWindowSeconds * 1000,
    transientCooldownMs: settings.transientCooldownSeconds * 1000,
    jitter: 0.2,
  };
}
