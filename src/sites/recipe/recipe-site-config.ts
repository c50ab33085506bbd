import { z } from 'zod';

/**
 * Config of one recipe-described site (`kind: recipe`). Credentials name the values the recipe's
 * templates use (`{{username}}`, `{{password}}`, a `{{token}}`…); `credentialsEnv` reads them from
 * environment variables instead, so secrets stay out of the config file.
 */
export const RecipeSiteConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'site ids are lowercase letters, digits and dashes'),
    kind: z.literal('recipe'),
    /** The recipe file (YAML); relative paths are from the working directory. */
    recipe: z.string().min(1),
    /** Overrides the recipe's baseUrl. */
    baseUrl: z.string().url().optional(),
    credentials: z.record(z.string(), z.string()).default({}),
    /** `{ password: "DEMO_PASSWORD" }`: credential name → environment variable. */
    credentialsEnv: z.record(z.string(), z.string()).default({}),
    /** How API operations travel: plain HTTP, or in-page fetch inside a logged-in Chromium page. */
    transport: z.enum(['http', 'browser']).default('http'),
    /** Reload the recipe when its file changes (a broken edit is refused; the old version serves). */
    watch: z.boolean().default(true),
  })
  .strict();

export type RecipeSiteConfig = z.infer<typeof RecipeSiteConfigSchema>;
