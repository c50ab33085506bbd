import { z } from 'zod';
import { demoSiteKind } from './demo/demo-site-descriptor.ts';
import { huggingChatSiteKind } from './huggingchat/huggingchat-descriptor.ts';
import type { SiteDescriptor } from './kit/site-descriptor.ts';
import { POOL_FIELDS, PoolAccountSchema, PoolSettingsSchema } from './pool/pool-config.ts';
import { openAICompatibleSiteKind } from './openai-compatible/openai-compatible-descriptor.ts';
import { poeWebSiteKind } from './poe/poe-web-descriptor.ts';
import { qwenSiteKind } from './qwen/qwen-descriptor.ts';
import { recipeSiteKind } from './recipe/recipe-site-descriptor.ts';

/** Every site kind the gateway knows. A new kind is one folder with a descriptor, and one line here. */
export const SITE_KINDS = [
  demoSiteKind,
  openAICompatibleSiteKind,
  poeWebSiteKind,
  qwenSiteKind,
  huggingChatSiteKind,
  recipeSiteKind,
] as const;

type SchemasOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends SiteDescriptor<infer Schema> ? Schema : never;
};

/**
 * What every kind's entry may add: several accounts (an account pool, `src/sites/pool/`), each
 * with the kind's own settings (credentials, cookies…) over the entry's, and the pool's settings.
 */
const POOL_KEYS = {
  accounts: z.array(PoolAccountSchema).optional(),
  pool: PoolSettingsSchema.optional(),
};

type Pooled<T> = {
  -readonly [K in keyof T]: T[K] extends z.ZodObject<infer Shape>
    ? z.ZodObject<Shape & typeof POOL_KEYS>
    : never;
};

/** The config's `sites` entries: one schema per kind, told apart by `kind`. */
export const SiteConfigSchema = z
  .discriminatedUnion(
    'kind',
    SITE_KINDS.map((kind) => kind.configSchema.extend(POOL_KEYS)) as unknown as Pooled<
      SchemasOf<typeof SITE_KINDS>
    >,
  )
  .superRefine((config, context) => {
    // Each account's own settings, over the entry's, must make a valid entry of the kind.
    const { accounts, pool: _pool, ...base } = config;
    const kind = siteKindOf(config);
    const ids = new Set<string>();
    for (const [index, account] of (accounts ?? []).entries()) {
      if (ids.has(account.id)) {
        context.addIssue({
          code: 'custom',
          path: ['accounts', index, 'id'],
          message: `duplicate account id '${account.id}'`,
        });
      }
      ids.add(account.id);
      const own = Object.fromEntries(
        Object.entries(account).filter(([key]) => !(POOL_FIELDS as readonly string[]).includes(key)),
      );
      const checked = kind.configSchema.safeParse({ ...base, ...own });
      for (const issue of checked.success ? [] : checked.error.issues) {
        context.addIssue({
          code: 'custom',
          path: ['accounts', index, ...issue.path.map(String)],
          message: issue.message,
        });
      }
    }
  });
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

/** The descriptor of a config entry's kind (the schema guarantees there is one). */
export function siteKindOf(config: { kind: string }): SiteDescriptor {
  const descriptor = SITE_KINDS.find((kind) => kind.kind === config.kind);
  if (!descriptor) throw new Error(`No site kind '${config.kind}'.`);
  // Each descriptor takes its own member of the union; `kind` has just matched it.
  return descriptor as unknown as SiteDescriptor;
}
