import { z } from 'zod';
import {
  ModelCapabilitiesPatchSchema,
  ModelCapabilityOverridesSchema,
  SiteIdSchema,
} from '../kit/model-capabilities-config.ts';

/**
 * Config of one OpenAI-compatible upstream (`kind: openai-compatible`). Either `preset` (`poe`,
 * `huggingface`) or `baseUrl` says where it is; the key comes from `apiKey` or, better, from the
 * environment variable named by `apiKeyEnv` so it stays out of the config file.
 */
export const OpenAICompatibleSiteConfigSchema = z
  .object({
    id: SiteIdSchema,
    kind: z.literal('openai-compatible'),
    preset: z.enum(['poe', 'huggingface']).optional(),
    /** e.g. `https://api.poe.com/v1`; defaults to the preset's. Paths `/models` and `/chat/completions` are appended. */
    baseUrl: z.string().url().optional(),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().min(1).optional(),
    /** Extra headers on every upstream request (organisation ids, routing hints). */
    headers: z.record(z.string(), z.string()).default({}),
    models: z
      .object({
        /** `upstream`: `GET /models`; `static`: only the `static` list (for servers without a listing). */
        source: z.enum(['upstream', 'static']).default('upstream'),
        static: z
          .array(
            z
              .object({
                id: z.string().min(1),
                displayName: z.string().min(1).optional(),
                capabilities: ModelCapabilitiesPatchSchema.optional(),
              })
              .strict(),
          )
          .default([]),
        /** Keep only these ids (exact or `prefix*`); empty keeps all. Poe lists hundreds of bots. */
        include: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ source: 'upstream', static: [], include: [] }),
    /** Defaults for every model of this upstream (over the preset's). */
    capabilities: ModelCapabilitiesPatchSchema.default({}),
    /** Per-model capability overrides: `{ "o3*": { reasoning: true } }`. */
    modelCapabilities: ModelCapabilityOverridesSchema.default({}),
    /** Name of the output limit field: most servers take `max_tokens`; OpenAI prefers the newer one. */
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
    /** Media types `upload` accepts (they are inlined as data URLs, images as `image_url`). */
    acceptedMediaTypes: z
      .array(z.string())
      .default(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']),
    maxUploadBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** Merged into every request body (`{ "reasoning_effort": "high" }`). */
    extraBody: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type OpenAICompatibleSiteConfig = z.infer<typeof OpenAICompatibleSiteConfigSchema>;
