import { z } from 'zod';
import {
  ModelCapabilitiesPatchSchema,
  ModelCapabilityOverridesSchema,
  SiteIdSchema,
} from '../kit/model-capabilities-config.ts';

/**
 * Config of a Qwen Chat account (`kind: qwen`, chat.qwen.ai). Log in with email + password (the
 * adapter signs in and renews the JWT before it expires) or paste the `token` JWT from a logged-in
 * browser (localStorage `token`, or the `token` cookie). Secrets are best named by `*Env`.
 */
export const QwenSiteConfigSchema = z
  .object({
    id: SiteIdSchema,
    kind: z.literal('qwen'),
    /**
     * `http`: plain HTTP with the configured cookies/token. `browser`: the gateway's Chromium makes
     * the requests from the site's own page (log the account in once through remote login).
     */
    transport: z.enum(['http', 'browser']).default('http'),
    baseUrl: z.string().url().default('https://chat.qwen.ai'),
    email: z.string().min(3).optional(),
    emailEnv: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    passwordEnv: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    tokenEnv: z.string().min(1).optional(),
    /**
     * Anti-bot cookies the site's WAF sets in a browser (`ssxmod_itna`, `ssxmod_itna2`…), sent as
     * they are; needed only when plain HTTP gets the WAF page (the browser transport needs none).
     */
    cookies: z.record(z.string(), z.string()).default({}),
    /** Extra request headers (`bx-umidtoken`, `bx-ua`, a newer `bx-v`…) copied from the browser. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Ask for visible thinking: `auto` turns it on for models that have it. */
    thinking: z.enum(['auto', 'on', 'off']).default('auto'),
    /** Ask for delta frames (`incremental_output`); `false` makes the site send snapshots instead. */
    incrementalOutput: z.boolean().default(true),
    include: z.array(z.string().min(1)).default([]),
    capabilities: ModelCapabilitiesPatchSchema.default({}),
    modelCapabilities: ModelCapabilityOverridesSchema.default({}),
    acceptedMediaTypes: z
      .array(z.string())
      .default(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf', 'text/plain']),
    /** The site's documented image limit is 10 MB (models' `file_limits.image_max_size`). */
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
  })
  .strict();

export type QwenSiteConfig = z.infer<typeof QwenSiteConfigSchema>;
