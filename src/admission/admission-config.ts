import { z } from 'zod';

const limit = z.number().int().positive();
export const LimitsSchema = z
  .object({ rpm: limit.optional(), tpm: limit.optional(), maxConcurrent: limit.optional() })
  .strict();

const AccountSchema = z
  .object({
    /** Generations at once on this site account; unset = browser default, or unlimited for HTTP sites. */
    maxConcurrent: limit.optional(),
    /** Minimum time between two turns started on the account ("human pace"). */
    minSpacingMs: z.number().int().min(0).optional(),
    /** Turns started per minute on this account ("human pace"); over it a turn waits in the queue. */
    rpm: limit.optional(),
  })
  .strict();

/** `admission` config section (docs: docs/admission.md). */
export const AdmissionConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Shared limits and account slots across gateway processes; `REDIS_URL` works too. */
    redisUrl: z.string().optional(),
    /** Redis unreachable: admit on this process's own memory limits (open) or answer 503 (closed). */
    onStoreError: z.enum(['fail-open', 'fail-closed']).default('fail-closed'),
    global: LimitsSchema.default({}),
    /** Limits for users and keys that have none of their own. */
    defaults: z
      .object({ user: LimitsSchema.default({}), key: LimitsSchema.default({}) })
      .strict()
      .default({ user: {}, key: {} }),
    /** Per user id / per key name (until the users table carries them). */
    users: z.record(z.string(), LimitsSchema).default({}),
    keys: z.record(z.string(), LimitsSchema).default({}),
    /** Output tokens reserved for TPM when a request sets no max tokens (corrected at settlement). */
    reserveOutputTokens: z.number().int().min(0).default(1024),
    queue: z
      .object({
        maxWaitMs: z.number().int().positive().default(60_000),
        maxPerUser: z.number().int().positive().default(50),
        maxTotal: z.number().int().positive().default(1000),
        /** How often a queue looks for slots freed by another process (Redis only). */
        pollMs: z.number().int().positive().default(50),
      })
      .strict()
      .default({ maxWaitMs: 60_000, maxPerUser: 50, maxTotal: 1000, pollMs: 50 }),
    accounts: z
      .object({
        browserMaxConcurrent: limit.default(2),
        minSpacingMs: z.number().int().min(0).default(0),
        /** Turns per minute on every account without its own; unset = no pace beyond the spacing. */
        rpm: limit.optional(),
        /** Per site id (today each site has one account). */
        sites: z.record(z.string(), AccountSchema).default({}),
      })
      .strict()
      .default({ browserMaxConcurrent: 2, minSpacingMs: 0, sites: {} }),
    /** A crashed process's Redis slots and concurrency counts free after this long. */
    leaseMs: z.number().int().min(1000).default(30_000),
  })
  .strict();

export type AdmissionConfig = z.infer<typeof AdmissionConfigSchema>;
export const ADMISSION_DEFAULTS: AdmissionConfig = AdmissionConfigSchema.parse({});
