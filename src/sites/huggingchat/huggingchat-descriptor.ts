import { defineSiteKind } from '../kit/site-descriptor.ts';
import { createHuggingChatSite } from './create-huggingchat-site.ts';
import { HuggingChatSiteConfigSchema } from './huggingchat-config.ts';

/** `kind: huggingchat`: huggingface.co/chat's web API with a logged-in session. */
export const huggingChatSiteKind = defineSiteKind({
  kind: 'huggingchat',
  configSchema: HuggingChatSiteConfigSchema,
  browserCapable: true,
  usesBrowser: (config) => config.transport === 'browser',
  create: async (config, context) => createHuggingChatSite(config, context),
});
