import { defineSiteKind } from '../kit/site-descriptor.ts';
import { createOpenAICompatibleSite } from './create-openai-compatible-site.ts';
import { OpenAICompatibleSiteConfigSchema } from './openai-compatible-config.ts';

/** `kind: openai-compatible`: any upstream speaking Chat Completions (presets: Poe's API, HF router). */
export const openAICompatibleSiteKind = defineSiteKind({
  kind: 'openai-compatible',
  configSchema: OpenAICompatibleSiteConfigSchema,
  browserCapable: false,
  usesBrowser: () => false,
  create: async (config, context) => createOpenAICompatibleSite(config, context),
});
