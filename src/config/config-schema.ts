import { z } from 'zod';
import { ADMISSION_DEFAULTS, AdmissionConfigSchema } from '../admission/admission-config.ts';
import { DemoSiteConfigSchema } from '../sites/demo/demo-site-config.ts';
import { SiteConfigSchema } from '../sites/site-registry.ts';

/** Timeouts applied to every site generation, separately (issue 3 §6). */
export const TimeoutsSchema = z
  .object({
    /** From sending the turn to the site's first event. */
    firstByteMs: z.number().int().positive().default(60_000),
    /** Longest silence between two events once streaming. */
    idleMs: z.number().int().positive().default(60_000),
    /** Whole generation. */
    totalMs: z.number().int().positive().default(600_000),
  })
  .strict();

export const ApiKeySchema = z
  .object({
    key: z.string().min(16, 'API keys must be at least 16 characters'),
    user: z.string().min(1).default('owner'),
    name: z.string().min(1).default('default'),
  })
  .strict();

export const GatewayConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
        /** Largest request body accepted, measured after decompression. */
        bodyLimitBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024),
        /** Silence after which streams send a keep-alive (Anthropic `ping`, SSE comment). */
        keepAliveMs: z.number().int().positive().default(15_000),
        /** On SIGTERM/SIGINT, how long in-flight requests may finish before they are ended. */
        shutdownGraceMs: z.number().int().min(0).default(10_000),
        /** Browser origins (`https://app.example`) allowed to call the API cross-origin; none by default. */
        corsOrigins: z.array(z.string().url()).default([]),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 8787,
        bodyLimitBytes: 32 * 1024 * 1024,
        keepAliveMs: 15_000,
        shutdownGraceMs: 10_000,
        corsOrigins: [],
      }),
    dataDir: z.string().default('./data'),
    apiKeys: z.array(ApiKeySchema).default([]),
    /** Postgres connection URL (`DATABASE_URL`); unset = SQLite in the data dir. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Token for `/admin/api` (`GATEWAY_ADMIN_TOKEN`); unset = generated into the data dir on first start. */
    adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Token for `/metrics` only (`GATEWAY_METRICS_TOKEN`), for a scraper; the admin token opens it too. */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    sites: z
      .array(SiteConfigSchema)
      .min(1)
      .superRefine((sites, context) => {
        // The admin API and the store address a site account by its id alone.
        const owner = new Map<string, string>();
        for (const [index, site] of sites.entries()) {
          for (const [at, account] of (site.accounts ?? []).entries()) {
            const other = owner.get(account.id);
            if (other !== undefined && other !== site.id) {
              context.addIssue({
                code: 'custom',
                path: [index, 'accounts', at, 'id'],
                message: `account id '${account.id}' is taken by site '${other}': account ids are unique across sites`,
              });
            }
            owner.set(account.id, site.id);
          }
        }
      })
      // A function default is parsed by nobody, so build the demo site entry through its schema.
      .default(() => [DemoSiteConfigSchema.parse({ id: 'demo', kind: 'demo' })]),
    /** Public model name → `site/model`. */
    modelAliases: z.record(z.string(), z.string()).default({}),
    timeouts: TimeoutsSchema.default({ firstByteMs: 60_000, idleMs: 60_000, totalMs: 600_000 }),
    /** Chromium for sites with `transport: browser` (Debian's /usr/bin/chromium by default). */
    browser: z
      .object({
        executablePath: z.string().optional(),
        mode: z.enum(['headless', 'headful']).default('headless'),
        /** X display for headful mode; unset starts a private Xvfb. */
        display: z.string().optional(),
        extraArgs: z.array(z.string()).default([]),
        warmPages: z.number().int().min(0).max(16).default(1),
        keepAliveSeconds: z.number().int().positive().default(600),
        remoteLoginPrefix: z.string().default('/admin/remote-login'),
      })
      .strict()
      .default({
        mode: 'headless',
        extraArgs: [],
        warmPages: 1,
        keepAliveSeconds: 600,
        remoteLoginPrefix: '/admin/remote-login',
      }),
    /** Fetching of image/file URLs sent by clients (SSRF-guarded; see docs). */
    attachments: z
      .object({
        /** Hosts trusted even when they resolve to internal addresses (`files.internal`, `*.corp`). */
        allowHosts: z.array(z.string()).default([]),
        /** Internal address ranges allowed for URL attachments (`10.1.0.0/16`). */
        allowCidrs: z.array(z.string()).default([]),
        fetchTimeoutMs: z.number().int().positive().default(30_000),
      })
      .strict()
      .default({ allowHosts: [], allowCidrs: [], fetchTimeoutMs: 30_000 }),
    /** Conversation threads and long histories (docs: features/conversations/README.md). */
    conversations: z
      .object({
        /** Over the model's input limit: drop oldest turns, upload the history as a file, or 400. */
        contextPolicy: z.enum(['drop-oldest', 'upload-file', 'reject']).default('drop-oldest'),
        /** Threads the gateway created are deleted on the site this long after their last use. */
        threadRetentionHours: z.number().positive().default(24),
        sweepIntervalMinutes: z.number().positive().default(10),
      })
      .strict()
      .default({ contextPolicy: 'drop-oldest', threadRetentionHours: 24, sweepIntervalMinutes: 10 }),
    /** How long stored Responses API responses are kept for `previous_response_id`. */
    responsesTtlSeconds: z
      .number()
      .int()
      .positive()
      .default(24 * 3600),
    /** Rate limits, account slots and the fair queue (docs/admission.md). */
    admission: AdmissionConfigSchema.default(ADMISSION_DEFAULTS),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type { SiteConfig } from '../sites/site-registry.ts';
export type ApiKeyConfig = z.infer<typeof ApiKeySchema>;
export type TimeoutsConfig = z.infer<typeof TimeoutsSchema>;
export type BrowserConfig = GatewayConfig['browser'];
