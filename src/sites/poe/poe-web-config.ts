import { z } from 'zod';
import {
  ModelCapabilitiesPatchSchema,
  ModelCapabilityOverridesSchema,
  SiteIdSchema,
} from '../kit/model-capabilities-config.ts';

/**
 * Config of a Poe web session (`kind: poe-web`): the poe.com account driven through its own web
 * API with the browser's cookies. Use it for what the official API (`kind: openai-compatible`,
 * `preset: poe`) cannot reach: private bots, the Assistant bot, bot parameters.
 * Cookies come from DevTools → Application → Cookies → https://poe.com (`p-b` is the login).
 */
export const PoeWebSiteConfigSchema = z
  .object({
    id: SiteIdSchema,
    kind: z.literal('poe-web'),
    /**
     * `http`: plain HTTP with the configured cookies/token. `browser`: the gateway's Chromium makes
     * the requests from the site's own page (log the account in once through remote login).
     */
    transport: z.enum(['http', 'browser']).default('http'),
    baseUrl: z.string().url().default('https://poe.com'),
    pB: z.string().min(1).optional(),
    pBEnv: z.string().min(1).optional(),
    pLat: z.string().min(1).optional(),
    pLatEnv: z.string().min(1).optional(),
    /** Cloudflare's clearance cookie when the account's network gets challenged (plus `__cf_bm` via `cookies`). */
    cfClearance: z.string().min(1).optional(),
    cfClearanceEnv: z.string().min(1).optional(),
    /** Any further cookies to send, by name. */
    cookies: z.record(z.string(), z.string()).default({}),
    /**
     * `Poe-Formkey` (32 characters) from any `gql_POST` request in DevTools → Network. Needed over
     * plain HTTP; the browser transport reads it in the page.
     */
    formkey: z.string().min(1).optional(),
    formkeyEnv: z.string().min(1).optional(),
    /** `Poe-Revision` override; by default the homepage's Next.js build id. */
    revision: z.string().min(1).optional(),
    /** A newer operation-hashes.json (same shape as the bundled one; may hold only changed entries). */
    operationHashesPath: z.string().min(1).optional(),
    /** The constant mixed into `poe-tag-id` (stable since 2023; configurable should Poe change it). */
    tagSalt: z.string().min(1).optional(),
    /** Keep only these bot handles (exact or `prefix*`); empty keeps every bot the account has. */
    include: z.array(z.string().min(1)).default([]),
    /** Stop paging the bot list after this many pages (10 bots each). */
    maxBotPages: z.number().int().positive().default(30),
    capabilities: ModelCapabilitiesPatchSchema.default({}),
    modelCapabilities: ModelCapabilityOverridesSchema.default({}),
    acceptedMediaTypes: z
      .array(z.string())
      .default(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']),
    /** The reference wrapper caps one message's files at about 350 MB; a single file is kept smaller. */
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),
    /** Longest silence on the update channel during a reply before the turn fails. */
    replyIdleMs: z.number().int().positive().default(120_000),
  })
  .strict();

export type PoeWebSiteConfig = z.infer<typeof PoeWebSiteConfigSchema>;
