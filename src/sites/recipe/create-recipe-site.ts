import { join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { BrowserAccount } from '../../transports/browser/browser-account.ts';
import { BrowserManager } from '../../transports/browser/browser-manager.ts';
import { InPageFetchTransport } from '../../transports/browser/in-page-fetch-transport.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { Transport } from '../../transports/transport.ts';
import { loadRecipe } from './load-recipe.ts';
import type { Recipe } from './recipe-schema.ts';
import { recipeWarnings } from './recipe-warnings.ts';
import { RecipeSite, type RecipeUiOperations } from './recipe-site.ts';
import type { RecipeSiteConfig } from './recipe-site-config.ts';
import { createUiOperations } from './ui/create-ui-operations.ts';
import { watchRecipe } from './watch-recipe.ts';

export interface CreateRecipeSiteDeps {
  logger: Logger;
  /** Where browser profiles live (`<dataDir>/browser/<site id>`) when the site starts its own browser. */
  dataDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** A browser shared with other sites; one is made for this site when absent (launched only if used). */
  browser?: BrowserManager;
  /** The account's proxy, for its HTTP transport, its browser context and its WebSockets. */
  proxy?: string;
  /** Builds the UI operations for recipes with a `ui` section (tests may replace it). */
  ui?: UiFactory;
}

export type UiFactory = (options: {
  recipe: Recipe;
  baseUrl: string;
  account: BrowserAccount;
  credentials: Readonly<Record<string, string>>;
  logger: Logger;
}) => RecipeUiOperations;

/**
 * Builds a recipe site from its config entry: the recipe file, its transport, the browser its UI
 * part drives, and the watcher that reloads the recipe when the file changes. Closing the site stops
 * the watcher (and the browser, when the site made its own).
 */
export async function createRecipeSite(
  config: RecipeSiteConfig,
  deps: CreateRecipeSiteDeps,
): Promise<RecipeSite> {
  const logger = deps.logger.child({ site: config.id });
  const recipe = await loadRecipe(config.recipe);
  for (const warning of recipeWarnings(recipe)) logger.warn({ recipe: config.recipe }, `recipe: ${warning}`);
  const baseUrl = config.baseUrl ?? recipe.baseUrl;
  if (!baseUrl) throw new Error(`Site '${config.id}': give baseUrl in the config or in ${config.recipe}.`);
  const credentials = resolveCredentials(config, deps.env ?? process.env);

  let ownBrowser: BrowserManager | undefined;
  const browser = () => {
    if (deps.browser) return deps.browser;
    // Standalone use (the check command): a headless Chromium of the site's own, found as usual.
    ownBrowser ??= new BrowserManager({ dataDir: join(deps.dataDir ?? './data', 'browser'), logger });
    return ownBrowser;
  };
  const account = () =>
    browser().account(config.id, { homeUrl: new URL('/', baseUrl).toString(), proxy: deps.proxy });

  const transport: Transport =
    config.transport === 'browser'
      ? new InPageFetchTransport({ account: account(), logger })
      : new HttpTransport({ proxy: deps.proxy });
  const makeUi = deps.ui ?? createUiOperations;
  const ui = (current: Recipe, base: string): RecipeUiOperations =>
    makeUi({ recipe: current, baseUrl: base, account: account(), credentials, logger });

  let stopWatching: (() => void) | undefined;
  const site = new RecipeSite({
    id: config.id,
    recipe,
    baseUrl,
    credentials,
    transport,
    proxy: deps.proxy,
    ui,
    logger,
    onClose: async () => {
      stopWatching?.();
      await ownBrowser?.close();
    },
  });
  if (config.watch) {
    const watcher = await watchRecipe(
      config.recipe,
      (next) => {
        site.replaceRecipe(next);
        logger.info({ recipe: config.recipe }, 'recipe reloaded');
        for (const warning of recipeWarnings(next))
          logger.warn({ recipe: config.recipe }, `recipe: ${warning}`);
      },
      {
        onError: (error) =>
          logger.error(
            { recipe: config.recipe, problems: error.message },
            'recipe change refused; the previous version keeps serving',
          ),
      },
    );
    stopWatching = () => watcher.close();
  }
  return site;
}

function resolveCredentials(
  config: RecipeSiteConfig,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = { ...config.credentials };
  for (const [name, variable] of Object.entries(config.credentialsEnv)) {
    const value = env[variable];
    if (value === undefined)
      throw new Error(`Site '${config.id}': environment variable ${variable} is not set.`);
    out[name] = value;
  }
  return out;
}
