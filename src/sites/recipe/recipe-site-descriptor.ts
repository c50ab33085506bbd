import { defineSiteKind } from '../kit/site-descriptor.ts';
import { createRecipeSite } from './create-recipe-site.ts';
import { RecipeSiteConfigSchema } from './recipe-site-config.ts';

/** `kind: recipe`: the generic adapter, a site described by a recipe file instead of code. */
export const recipeSiteKind = defineSiteKind({
  kind: 'recipe',
  configSchema: RecipeSiteConfigSchema,
  browserCapable: true,
  // A recipe's `ui` part drives pages whatever its transport (Chromium starts only when used).
  usesBrowser: () => true,
  create: (config, context) => createRecipeSite(config, context),
});
