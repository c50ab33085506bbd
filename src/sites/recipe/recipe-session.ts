import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Transport, TransportResponse } from '../../transports/transport.ts';
import type { SessionState } from '../../site-contract/site.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';
import { buildRequest } from './build-request.ts';
import { firstMatch, type JsonPath } from './json-path.ts';
import { errorFromStatus, readErrorBody } from './map-recipe-error.ts';
import type { Recipe, RecipeApi, RecipeRequest, RecipeScrape } from './recipe-schema.ts';
import { scrapeValue } from './scrape-value.ts';
import type { TemplateVars } from './template.ts';

export interface RecipeSessionOptions {
  siteId: string;
  transport: Transport;
  /** The account's proxy, for the WebSockets a recipe opens from Node (the transport has its own). */
  proxy?: string | undefined;
  baseUrl: string;
  /** Values for the recipe's `credentials` names (`username`, `password`, a token…). */
  credentials: Readonly<Record<string, string>>;
  logger: Logger;
}

const ACCEPT_PAGE = 'text/html,application/json;q=0.9,*/*;q=0.8';

function describeScrape(scrape: RecipeScrape): string {
  if (scrape.regex) return `regex ${scrape.regex.source}`;
  if (scrape.meta !== undefined) return `meta ${scrape.meta}`;
  if (scrape.cookie !== undefined) return `cookie ${scrape.cookie}`;
  if (scrape.header !== undefined) return `header ${scrape.header}`;
  return `path ${scrape.path?.source ?? ''}`;
}

const NO_API: RecipeApi = {
  headers: {},
  prelude: [],
  relogin: [{ status: 401 }],
  errors: { codes: {}, statuses: {} },
};

/**
 * The logged-in state of a recipe site over a Transport: runs the recipe's login (request, captures,
 * scraped tokens), and sends API requests with those values, logging in again once when a response
 * says the session ended.
 */
export class RecipeSession {
  readonly #options: RecipeSessionOptions;
  #recipe: () => Recipe;
  /** Captured and scraped values (`csrf`, `token`…). */
  #values: Record<string, string> = {};
  #loggedIn = false;
  #loggingIn: Promise<void> | undefined;

  constructor(recipe: () => Recipe, options: RecipeSessionOptions) {
    this.#recipe = recipe;
    this.#options = options;
  }

  get api(): RecipeApi {
    return this.#recipe().api ?? NO_API;
  }

  get transport(): Transport {
    return this.#options.transport;
  }

  get proxy(): string | undefined {
    return this.#options.proxy;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  get loggedIn(): boolean {
    return this.#loggedIn;
  }

  /** Credentials and session values, the base of every template's variables. */
  vars(extra: TemplateVars = {}): TemplateVars {
    return { ...this.#options.credentials, ...this.#values, ...extra };
  }

  login(signal: AbortSignal): Promise<void> {
    // Concurrent requests that all found the session ended share one login.
    this.#loggingIn ??= this.#performLogin(signal).finally(() => {
      this.#loggingIn = undefined;
    });
    return this.#loggingIn;
  }

  async #performLogin(signal: AbortSignal): Promise<void> {
    const login = this.api.login;
    const prelude = this.api.prelude;
    const { transport, logger, siteId } = this.#options;
    this.#loggedIn = false;
    this.#values = {};
    if (!login && prelude.length === 0) {
      this.#loggedIn = true;
      return;
    }
    // Cookies are forgotten once, before the prelude: what the prelude got (a CSRF cookie) must
    // survive into the login request.
    if ((login?.clearCookies ?? true) && (login?.request || prelude.length > 0))
      await transport.clearSession();
    for (const [index, step] of prelude.entries()) {
      const where = `prelude[${index}]`;
      const response = await this.#send(step.request, this.vars(), signal, { accept: ACCEPT_PAGE });
      const text = await response.text();
      if (!step.ok.includes(response.status))
        throw errorFromStatus(this.api.errors, response.status, text, { action: `run ${where}` });
      this.#capture(step.capture, text, where);
      await this.#scrape(step.scrape, { text, headers: response.headers }, where, signal);
    }
    if (!login) {
      this.#loggedIn = true;
      return;
    }
    let text = '';
    let headers = new Headers();
    if (login.request) {
      const response = await this.#send(login.request, this.vars(), signal);
      text = await response.text();
      headers = response.headers;
      if (login.rejected.includes(response.status))
        throw new NeedsLoginError('the site rejected the configured credentials');
      if (!login.ok.includes(response.status))
        throw errorFromStatus(this.api.errors, response.status, text, { action: 'log in' });
      this.#capture(login.capture, text, 'login');
    }
    await this.#scrape(login.scrape, { text, headers }, 'login', signal);
    this.#loggedIn = true;
    logger.info({ site: siteId }, 'logged in to recipe site');
  }

  async #scrape(
    scrapes: Record<string, RecipeScrape>,
    response: { text: string; headers: Headers },
    where: string,
    signal: AbortSignal,
  ): Promise<void> {
    for (const [name, scrape] of Object.entries(scrapes)) {
      let source = response;
      if (scrape.url) {
        const page = await this.#send({ method: 'GET', url: scrape.url, headers: {} }, this.vars(), signal, {
          accept: ACCEPT_PAGE,
        });
        source = { text: await page.text(), headers: page.headers };
        if (page.status === 403) throw new NeedsLoginError('the site shows a challenge page');
      }
      const cookies = await this.#options.transport.cookies(this.#options.baseUrl);
      const value = scrapeValue(scrape, { ...source, cookies });
      if (value === undefined)
        throw new NeedsLoginError(
          where === 'login'
            ? `'${name}' was not found after logging in`
            : `'${name}' was not found in the ${where} response (${describeScrape(scrape)})`,
        );
      this.#values[name] = value;
    }
  }

  #capture(captures: Record<string, JsonPath>, text: string, where: string): void {
    if (Object.keys(captures).length === 0) return;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new NeedsLoginError(`the ${where} response was not JSON`);
    }
    for (const [name, path] of Object.entries(captures)) {
      const value = firstMatch(path, data);
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new NeedsLoginError(`the ${where} response has no '${name}' at ${path.source}`);
      this.#values[name] = String(value);
    }
  }

  /**
   * Sends an API request with the session (logging in first when needed). A response the recipe's
   * `relogin` rules recognise triggers one new login and one retry.
   */
  async request(
    template: RecipeRequest,
    extraVars: TemplateVars,
    signal: AbortSignal,
    options: { accept?: string } = {},
  ): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      if (!this.#loggedIn) await this.login(signal);
      const response = await this.#send(template, this.vars(extraVars), signal, options);
      if (attempt === 0 && (await this.#sessionEnded(response))) {
        this.#options.logger.info(
          { site: this.#options.siteId },
          'recipe site session ended; logging in again',
        );
        this.#loggedIn = false;
        continue;
      }
      return response;
    }
  }

  async #send(
    template: RecipeRequest,
    vars: TemplateVars,
    signal: AbortSignal,
    options: { accept?: string } = {},
  ): Promise<TransportResponse> {
    const built = buildRequest(template, {
      baseUrl: this.#options.baseUrl,
      commonHeaders: this.api.headers,
      vars,
    });
    const headers = { ...(built.request.headers ?? {}) };
    if (options.accept) headers.accept = options.accept;
    try {
      return await this.#options.transport.fetch(built.url, { ...built.request, headers, signal });
    } catch (error) {
      if (signal.aborted || error instanceof GatewayError) throw error;
      throw new GatewayError('upstream', `The site could not be reached (${new URL(built.url).host}).`, {
        cause: error,
      });
    }
  }

  async #sessionEnded(response: TransportResponse): Promise<boolean> {
    const rules = this.api.relogin.filter((rule) => rule.status === response.status);
    if (rules.length === 0) return false;
    if (rules.some((rule) => rule.code === undefined)) {
      await response.text().catch(() => undefined);
      return true;
    }
    // Reading the code consumes the body; keep the text for the caller's error mapping.
    const text = await response.text().catch(() => '');
    response.text = async () => text;
    response.json = async () => JSON.parse(text) as unknown;
    const { code } = readErrorBody(this.api.errors, text);
    return rules.some((rule) => rule.code === code);
  }

  /** The session as the recipe's `session` request sees it (no login is attempted). */
  async check(signal: AbortSignal): Promise<SessionState> {
    const check = this.api.session;
    if (!check) {
      return this.#loggedIn ? { state: 'ok' } : { state: 'needs-login', reason: 'not logged in yet' };
    }
    const response = await this.#send(check.request, this.vars(), signal);
    const text = await response.text();
    if (check.ok.includes(response.status)) {
      let user: string | undefined;
      if (check.user) {
        try {
          const value = firstMatch(check.user, JSON.parse(text));
          if (typeof value === 'string') user = value;
        } catch {
          // A session page that is not JSON still says "logged in" by its status.
        }
      }
      return user === undefined ? { state: 'ok' } : { state: 'ok', user };
    }
    if (check.challenge.includes(response.status))
      return { state: 'challenge', reason: 'the site shows a challenge page' };
    const { code } = readErrorBody(this.api.errors, text);
    return { state: 'needs-login', reason: code ?? `status ${response.status}` };
  }
}
