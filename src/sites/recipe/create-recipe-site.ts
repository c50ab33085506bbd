import { join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { BrowserAccount } from '../../transports/browser/browser-account.ts';
import { BrowserManager } from '../../transports/browser/browser-manager.ts';
import { InPageFetchTransport } from '../../transports/browser/in-page-fetch-transport.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { Transport } from '../../transports/transport.ts';
import { loadRecipe } from './load-recipe.ts';
import type { RecipeSiteConfig } from './recipe-site-config.ts';
import { RecipeSite, type RecipeUiOperations } from './recipe-site.ts';
import type { Recipe } from './recipe-schema.ts';
import { watchRecipe } from './watch-recipe.ts';

export interface CreatedRecipeSite {
  site: RecipeSite;
  close(): Promise<void>;
}

export interface CreateRecipeSiteDeps {
  logger: Logger;
  /** Where browser profiles live (`<dataDir>/browser/<site id>`). */
  dataDir: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** A browser shared with other sites; one is started for this site when absent and needed. */
  browser?: BrowserManager;
  /** Builds the UI operations for recipes with a `ui` section. */
  ui?: UiFactory;
}

export type UiFactory = (options: {
  recipe: Recipe;
  baseUrl: string;
  account: BrowserAccount;
  credentials: Readonly<Record<string, string>>;
  logger: Logger;
}) => RecipeUiOperations;

/** Builds a recipe site from its config: the recipe file, its transport, its browser, its watcher. */
export async function createRecipeSite(
  config: RecipeSiteConfig,
  deps: CreateRecipeSiteDeps,
): Promise<CreatedRecipeSite> {
  const logger = deps.logger.child({ site: config.id });
  const recipe = await loadRecipe(config.recipe);
  const baseUrl = config.baseUrl ?? recipe.baseUrl;
  if (!baseUrl) throw new Error(`Site '${config.id}': give baseUrl in the config or in ${config.recipe}.`);
  const credentials = resolveCredentials(config, deps.env ?? process.env);

  let ownBrowser: BrowserManager | undefined;
  const browser = () => {
    if (deps.browser) return deps.browser;
    ownBrowser ??= new BrowserManager({
      dataDir: join(deps.dataDir, 'browser'),
      mode: config.browser.mode,
      ...(config.browser.executablePath ? { executablePath: config.browser.executablePath } : {}),
      logger,
    });
    return ownBrowser;
  };
  const account = () => browser().account(config.id, { homeUrl: new URL('/', baseUrl).toString() });

  const transport: Transport =
    config.transport === 'browser'
      ? new InPageFetchTransport({ account: account(), logger })
      : new HttpTransport();
  const ui = deps.ui
    ? (current: Recipe, base: string): RecipeUiOperations =>
        (deps.ui as UiFactory)({ recipe: current, baseUrl: base, account: account(), credentials, logger })
    : undefined;

  const site = new RecipeSite({
    id: config.id,
    recipe,
    baseUrl,
    credentials,
    transport,
    logger,
    ...(ui ? { ui } : {}),
  });
  const watcher = config.watch
    ? await watchRecipe(
        config.recipe,
        (next) => {
          site.replaceRecipe(next);
          logger.info({ recipe: config.recipe }, 'recipe reloaded');
        },
        {
          onError: (error) =>
            logger.error(
              { recipe: config.recipe, problems: error.message },
              'recipe change refused; the previous version keeps serving',
            ),
        },
      )
    : undefined;
  return {
    site,
    close: async () => {
      watcher?.close();
      await site.close();
      await ownBrowser?.close();
    },
  };
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
