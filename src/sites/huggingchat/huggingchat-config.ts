import { z } from 'zod';
import {
  ModelCapabilitiesPatchSchema,
  ModelCapabilityOverridesSchema,
  SiteIdSchema,
} from '../kit/model-capabilities-config.ts';

/**
 * Config of a HuggingChat account (`kind: huggingchat`). Authenticate with an HF access token
 * (`hf_…`, huggingface.co/settings/tokens; chat-ui accepts it as Bearer on its API routes) or with
 * the `hf-chat` session cookie copied from a logged-in browser. Secrets are best named by `*Env`.
 */
export const HuggingChatSiteConfigSchema = z
  .object({
    id: SiteIdSchema,
    kind: z.literal('huggingchat'),
    /**
     * `http`: plain HTTP with the configured cookies/token. `browser`: the gateway's Chromium makes
     * the requests from the site's own page (log the account in once through remote login).
     */
    transport: z.enum(['http', 'browser']).default('http'),
    /** The chat app's base, without a trailing slash. */
    baseUrl: z.string().url().default('https://huggingface.co/chat'),
    token: z.string().min(1).optional(),
    tokenEnv: z.string().min(1).optional(),
    /** The value of the `hf-chat` cookie. */
    cookie: z.string().min(1).optional(),
    cookieEnv: z.string().min(1).optional(),
    /** Keep only these model ids (exact or `prefix*`); empty keeps every listed model. */
    include: z.array(z.string().min(1)).default([]),
    capabilities: ModelCapabilitiesPatchSchema.default({}),
    modelCapabilities: ModelCapabilityOverridesSchema.default({}),
    acceptedMediaTypes: z.array(z.string()).default(['image/png', 'image/jpeg', 'image/webp', 'image/gif']),
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
  })
  .strict();

export type HuggingChatSiteConfig = z.infer<typeof HuggingChatSiteConfigSchema>;
