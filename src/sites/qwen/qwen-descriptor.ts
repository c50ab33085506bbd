import { defineSiteKind } from '../kit/site-descriptor.ts';
import { createQwenSite } from './create-qwen-site.ts';
import { QwenSiteConfigSchema } from './qwen-config.ts';

/** `kind: qwen`: chat.qwen.ai's web API with a logged-in session. */
export const qwenSiteKind = defineSiteKind({
  kind: 'qwen',
  configSchema: QwenSiteConfigSchema,
  browserCapable: true,
  usesBrowser: (config) => config.transport === 'browser',
  create: async (config, context) => createQwenSite(config, context),
});
