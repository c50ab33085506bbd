import { z } from 'zod';
import { demoSiteKind } from './demo/demo-site-descriptor.ts';
import { huggingChatSiteKind } from './huggingchat/huggingchat-descriptor.ts';
import type { SiteDescriptor } from './kit/site-descriptor.ts';
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

/** The config's `sites` entries: one schema per kind, told apart by `kind`. */
export const SiteConfigSchema = z.discriminatedUnion(
  'kind',
  SITE_KINDS.map((kind) => kind.configSchema) as unknown as SchemasOf<typeof SITE_KINDS>,
);
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

/** The descriptor of a config entry's kind (the schema guarantees there is one). */
export function siteKindOf(config: SiteConfig): SiteDescriptor {
  const descriptor = SITE_KINDS.find((kind) => kind.kind === config.kind);
  if (!descriptor) throw new Error(`No site kind '${config.kind}'.`);
  // Each descriptor takes its own member of the union; `kind` has just matched it.
  return descriptor as unknown as SiteDescriptor;
}
