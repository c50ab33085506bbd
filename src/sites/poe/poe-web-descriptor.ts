import { defineSiteKind } from '../kit/site-descriptor.ts';
import { createPoeWebSite } from './create-poe-web-site.ts';
import { PoeWebSiteConfigSchema } from './poe-web-config.ts';

/** `kind: poe-web`: poe.com's own web protocol with a logged-in session. */
export const poeWebSiteKind = defineSiteKind({
  kind: 'poe-web',
  configSchema: PoeWebSiteConfigSchema,
  browserCapable: true,
  usesBrowser: (config) => config.transport === 'browser',
  create: (config, context) => createPoeWebSite(config, context),
});
