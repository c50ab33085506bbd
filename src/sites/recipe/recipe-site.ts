import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Transport } from '../../transports/transport.ts';
import {
  SITE_INTERFACE_VERSION,
  type SessionState,
  type Site,
  type SiteAttachment,
  type SiteCapabilities,
  type SiteEvent,
  type SiteModel,
  type SiteTurn,
  type UploadInput,
} from '../../site-contract/site.ts';
import { InlineFiles } from './inline-files.ts';
import { LocalThreads } from './local-threads.ts';
import { firstMatch } from './json-path.ts';
import { errorFromStatus } from './map-recipe-error.ts';
import { readModels, staticModels, withAliases } from './read-models.ts';
import type { Recipe } from './recipe-schema.ts';
import { RecipeSession } from './recipe-session.ts';
import { sendOverApi } from './send-over-api.ts';

/**
 * The operations a recipe's `ui` section performs in a logged-in browser page; the recipe site uses
 * them for every operation its `api` section does not describe (ui/ builds them).
 */
export interface RecipeUiOperations {
  login(signal: AbortSignal): Promise<void>;
  checkSession(signal: AbortSignal): Promise<SessionState>;
  listModels(signal: AbortSignal): Promise<SiteModel[]>;
  send(turn: SiteTurn, model: string, signal: AbortSignal): AsyncIterable<SiteEvent>;
  upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment>;
  deleteThread(threadId: string, signal: AbortSignal): Promise<void>;
  /** Runs the recipe's `ui.setup` steps again (they also run once after the first login). */
  runSetup?(signal: AbortSignal): Promise<void>;
  /** The recipe changed (hot reload). */
  replaceRecipe(recipe: Recipe): void;
  close(): Promise<void>;
}

export interface RecipeSiteOptions {
  id: string;
  recipe: Recipe;
  /** Overrides the recipe's `baseUrl` (config, tests). */
  baseUrl?: string;
  credentials: Readonly<Record<string, string>>;
  /** How API operations reach the site: plain HTTP, or in-page fetch inside a logged-in browser. */
  transport: Transport;
  /** The account's proxy, for the recipe's `websocket` streams (the transport carries the rest). */
  proxy?: string | undefined;
  /** Required when the recipe has a `ui` section that some operation relies on. */
  ui?: (recipe: Recipe, baseUrl: string) => RecipeUiOperations;
  logger: Logger;
  /** Run by close() after the site's own cleanup (the file watcher, a browser of its own). */
  onClose?: () => Promise<void>;
}

/** A site adapter driven entirely by a recipe file; the recipe can be replaced while it serves. */
export class RecipeSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly baseUrl: string;
  #recipe: Recipe;
  readonly #options: RecipeSiteOptions;
  readonly #session: RecipeSession;
  #ui: RecipeUiOperations | undefined;
  /** Files of an `upload: inline` recipe, and the threads of a `history: local` one (format 2). */
  readonly #inlineFiles = new InlineFiles();
  readonly #localThreads = new LocalThreads();

  constructor(options: RecipeSiteOptions) {
    const baseUrl = options.baseUrl ?? options.recipe.baseUrl;
    if (!baseUrl)
      throw new Error(`Recipe site '${options.id}' needs a baseUrl (in the recipe or the config).`);
    this.id = options.id;
    this.baseUrl = baseUrl;
    this.#recipe = options.recipe;
    this.#options = options;
    this.#session = new RecipeSession(() => this.#recipe, {
      siteId: options.id,
      transport: options.transport,
      proxy: options.proxy,
      baseUrl,
      credentials: options.credentials,
      logger: options.logger,
    });
  }

  get recipe(): Recipe {
    return this.#recipe;
  }

  /** Serves with a new version of the recipe from now on; requests already running finish on the old one. */
  replaceRecipe(recipe: Recipe): void {
    this.#recipe = recipe;
    this.#ui?.replaceRecipe(recipe);
  }

  get capabilities(): SiteCapabilities {
    const recipe = this.#recipe;
    return {
      threads: recipe.capabilities.threads,
      deleteThreads: Boolean(
        recipe.api?.deleteThread ?? recipe.ui?.deleteThread ?? recipe.api?.send?.history === 'local',
      ),
      // A vision model on an API recipe without uploads still takes the file, so that upload() can say
      // exactly what the recipe lacks (not "no vision").
      uploads: Boolean(recipe.api?.upload ?? recipe.ui?.attach) || declaresVision(recipe),
      acceptedMediaTypes: recipe.capabilities.acceptedMediaTypes,
      maxUploadBytes: recipe.capabilities.maxUploadBytes,
      models: recipe.capabilities.models,
    };
  }

  #uiOps(what: string): RecipeUiOperations {
    if (!this.#recipe.ui)
      throw new GatewayError('invalid_request', `The recipe does not describe how to ${what}.`);
    if (!this.#options.ui)
      throw new GatewayError('internal', `The recipe needs a browser to ${what}; none was configured.`);
    this.#ui ??= this.#options.ui(this.#recipe, this.baseUrl);
    return this.#ui;
  }

  /** Whether the API section logs in (else the UI does, when there is one). */
  get #apiLogin(): boolean {
    return Boolean(this.#recipe.api?.login) || !this.#recipe.ui;
  }

  async login(signal: AbortSignal): Promise<void> {
    if (this.#apiLogin) await this.#session.login(signal);
    else await this.#uiOps('log in').login(signal);
  }

  /** Re-runs the recipe's one-time `ui.setup` steps on demand. */
  async runSetup(signal: AbortSignal): Promise<void> {
    if (!this.#recipe.ui?.setup)
      throw new GatewayError('invalid_request', 'The recipe has no ui.setup steps.');
    await this.#uiOps('run the setup').runSetup?.(signal);
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    if (this.#recipe.api?.session || this.#apiLogin) return this.#session.check(signal);
    return this.#uiOps('check the session').checkSession(signal);
  }

  async listModels(signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<SiteModel[]> {
    const recipe = this.#recipe;
    const list = recipe.api?.models;
    let models: SiteModel[];
    if (list) {
      const response = await this.#session.request(list.request, {}, signal);
      const text = await response.text();
      if (!list.ok.includes(response.status))
        throw errorFromStatus(this.#session.api.errors, response.status, text, { action: 'list models' });
      models = readModels(parseJson(text, 'list models'), list, recipe.capabilities.models);
    } else if (recipe.ui?.listModels) {
      // The recipe's own `models` entries then only add what the page cannot show (capabilities).
      models = await this.#uiOps('list models').listModels(signal);
    } else {
      models = staticModels(recipe);
    }
    return withAliases(models, recipe.aliases);
  }

  send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const recipe = this.#recipe;
    const model = recipe.aliases[turn.model] ?? turn.model;
    const send = recipe.api?.send;
    const events = send
      ? sendOverApi(this.#session, send, turn, model, signal, {
          inline: recipe.api?.upload === 'inline' ? this.#inlineFiles : undefined,
          local: send.history === 'local' ? this.#localThreads : undefined,
        })
      : this.#uiOps('send a message').send(turn, model, signal);
    return recipe.capabilities.threads ? events : withoutThreads(events);
  }

  async upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment> {
    const recipe = this.#recipe;
    const upload = recipe.api?.upload;
    if (upload === 'inline') return this.#inlineFiles.add(file);
    if (!upload) {
      if (recipe.api?.send && !recipe.ui)
        throw new GatewayError(
          'invalid_request',
          `The recipe '${recipe.name}' sends over its API but has no file placeholder (api.upload, or ` +
            `upload: inline with {{files}} in the send body), so this file cannot be sent.`,
        );
      return this.#uiOps('upload a file').upload(file, signal);
    }
    const vars = {
      file: new File([file.data as Uint8Array<ArrayBuffer>], file.filename, { type: file.mediaType }),
      filename: file.filename,
      mediaType: file.mediaType,
    };
    const response = await this.#session.request(upload.request, vars, signal);
    const text = await response.text();
    if (!upload.ok.includes(response.status))
      throw errorFromStatus(this.#session.api.errors, response.status, text, { action: 'upload' });
    const data = parseJson(text, 'upload');
    const fileId = firstMatch(upload.fileId, data);
    if (typeof fileId !== 'string' && typeof fileId !== 'number')
      throw new GatewayError(
        'upstream',
        `The site's upload answer has no file id at ${upload.fileId.source}.`,
      );
    const mediaType = upload.mediaType ? firstMatch(upload.mediaType, data) : undefined;
    return {
      fileId: String(fileId),
      mediaType: typeof mediaType === 'string' ? mediaType : file.mediaType,
      filename: file.filename,
    };
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    const remove = this.#recipe.api?.deleteThread;
    if (!remove && this.#recipe.api?.send?.history === 'local') {
      this.#localThreads.delete(threadId);
      return;
    }
    if (!remove) return this.#uiOps('delete a thread').deleteThread(threadId, signal);
    const response = await this.#session.request(remove.request, { threadId }, signal);
    const text = await response.text();
    if (!remove.ok.includes(response.status))
      throw errorFromStatus(this.#session.api.errors, response.status, text, {
        action: 'delete the thread',
        threadId,
      });
  }

  async close(): Promise<void> {
    await this.#ui?.close();
    await this.#options.transport.close();
    await this.#options.onClose?.();
  }
}

function declaresVision(recipe: Recipe): boolean {
  return (
    recipe.capabilities.models.vision ||
    (recipe.models ?? []).some((model) => model.capabilities.vision === true) ||
    recipe.api?.models?.capabilities.vision !== undefined
  );
}

function parseJson(text: string, action: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError('upstream', `The site's answer to ${action} was not JSON.`);
  }
}

/**
 * A recipe that declares `threads: false` reports no thread, even when the page shows an id (a
 * URL `/c/…` the app does not keep history for): a reported thread promises a continuation.
 */
async function* withoutThreads(events: AsyncIterable<SiteEvent>): AsyncIterable<SiteEvent> {
  for await (const event of events) if (event.type !== 'thread') yield event;
}
