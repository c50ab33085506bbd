import { GatewayError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { BrowserAccount } from '../../../transports/browser/browser-account.ts';
import type { Page } from '../../../transports/browser/browser-library.ts';
import type { PageLease } from '../../../transports/browser/page-lease.ts';
import type {
  SessionState,
  SiteAttachment,
  SiteEvent,
  SiteModel,
  SiteTurn,
  UploadInput,
} from '../../../site-contract/site.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../../site-contract/site-errors.ts';
import { resolveUrl } from '../build-request.ts';
import type { Recipe, RecipeUi } from '../recipe-schema.ts';
import type { RecipeUiOperations } from '../recipe-site.ts';
import { staticModels } from '../read-models.ts';
import { turnVars } from '../send-over-api.ts';
import { renderString, type TemplateVars } from '../template.ts';
import { applyNetworkPolicy } from './apply-network-policy.ts';
import { runSteps, selectorOf } from './run-steps.ts';
import { trackRequest } from './track-request.ts';
import { type PageCounts, watchReply } from './watch-reply.ts';

export interface UiOperationsOptions {
  recipe: Recipe;
  baseUrl: string;
  /** The browser account whose logged-in pages the operations drive. */
  account: BrowserAccount;
  credentials: Readonly<Record<string, string>>;
  logger: Logger;
}

/** How long the page may take to show it is logged in (or not), unless the recipe's `ui.waits` says. */
const PAGE_STATE_TIMEOUT_MS = 15_000;

/**
 * A recipe's `ui` section performed in real pages of a browser account: each operation leases a
 * page, brings it to the chat (logging in through the UI when the page asks), and drives it with the
 * recipe's selectors and steps. Files to attach are kept until the turn that uses them.
 */
export class UiOperations implements RecipeUiOperations {
  #recipe: Recipe;
  readonly #options: UiOperationsOptions;
  readonly #staged = new Map<string, UploadInput>();
  #nextFile = 1;
  /** `ui.setup` ran since this instance logged in (it runs once, then on demand). */
  #setupDone = false;

  constructor(options: UiOperationsOptions) {
    this.#recipe = options.recipe;
    this.#options = options;
  }

  replaceRecipe(recipe: Recipe): void {
    this.#recipe = recipe;
  }

  get #ui(): RecipeUi {
    const ui = this.#recipe.ui;
    if (!ui) throw new GatewayError('internal', 'The recipe has no ui section.');
    return ui;
  }

  #vars(extra: TemplateVars = {}): TemplateVars {
    return { ...this.#options.credentials, ...extra };
  }

  /** Runs `work` on a leased page; a page left in an unknown state (an error) is closed, not reused. */
  async #withPage<T>(work: (page: Page) => Promise<T>): Promise<T> {
    const lease = await this.#options.account.acquirePage();
    try {
      await applyNetworkPolicy(lease.page, () => this.#recipe, this.#options.baseUrl);
      const result = await work(lease.page);
      lease.release();
      return result;
    } catch (error) {
      await lease.discard();
      throw error;
    }
  }

  /** Shows the chat page and makes sure it is logged in (through the UI login when it is not). */
  async #ready(page: Page, signal: AbortSignal, options: { fresh?: boolean } = {}): Promise<void> {
    const ui = this.#ui;
    const start = resolveUrl(
      renderString(ui.startUrl, this.#vars(), encodeURIComponent),
      this.#options.baseUrl,
    );
    if (options.fresh || !page.url().startsWith(this.#options.baseUrl)) {
      await page.goto(start, { waitUntil: 'domcontentloaded' });
    }
    const state = await this.#pageState(page);
    if (state === 'ok') return this.#afterLogin(page, signal);
    if (state === 'challenge') throw new NeedsLoginError('the site shows a challenge page');
    if (!ui.login)
      throw new NeedsLoginError('the site asks for a login and the recipe has no ui.login steps');
    await runSteps(ui.login, 'log in', { page, baseUrl: this.#options.baseUrl, vars: this.#vars(), signal });
    if ((await this.#pageState(page)) !== 'ok') {
      await page.goto(start, { waitUntil: 'domcontentloaded' });
      if ((await this.#pageState(page)) !== 'ok')
        throw new NeedsLoginError('the UI login did not reach the chat');
    }
    await this.#options.account.saveState();
    this.#options.logger.info('logged in through the site UI');
    await this.#afterLogin(page, signal);
  }

  /** The page shows it is logged in: wait for the recipe's readiness condition, run setup once. */
  async #afterLogin(page: Page, signal: AbortSignal): Promise<void> {
    const waits = this.#ui.waits;
    if (waits?.ready) {
      const selector = selectorOf(waits.ready, this.#vars());
      await page
        .locator(selector)
        .first()
        .waitFor({ state: 'visible', timeout: waits.readyMs })
        .catch(() => {
          throw new GatewayError(
            'timeout',
            `The page did not become ready: ui.waits.ready '${selector}' was not shown within ${waits.readyMs} ms.`,
          );
        });
    }
    if (!this.#setupDone && this.#ui.setup) await this.#runSetup(page, signal);
  }

  async #runSetup(page: Page, signal: AbortSignal): Promise<void> {
    const steps = this.#ui.setup;
    if (!steps) return;
    await runSteps(steps, 'run the setup', {
      page,
      baseUrl: this.#options.baseUrl,
      vars: this.#vars(),
      signal,
    });
    this.#setupDone = true;
    this.#options.logger.info('ran the recipe setup steps');
  }

  /** Runs `ui.setup` again (a person changed the app's settings); its toggles are idempotent. */
  async runSetup(signal: AbortSignal): Promise<void> {
    await this.#withPage(async (page) => {
      this.#setupDone = true; // #ready must not run it a second time in this call
      await this.#ready(page, signal, { fresh: true });
      await this.#runSetup(page, signal);
    });
  }

  /** Which of logged in / login form / challenge the page shows (waiting for the first to appear). */
  async #pageState(page: Page): Promise<'ok' | 'needs-login' | 'challenge'> {
    const ui = this.#ui;
    const vars = this.#vars();
    const candidates: Array<['ok' | 'needs-login' | 'challenge', string]> = [
      ['ok', selectorOf(ui.loggedIn, vars)],
    ];
    if (ui.needsLogin) candidates.push(['needs-login', selectorOf(ui.needsLogin, vars)]);
    if (ui.challenge) candidates.push(['challenge', selectorOf(ui.challenge, vars)]);
    const deadline = Date.now() + (ui.waits?.pageStateMs ?? PAGE_STATE_TIMEOUT_MS);
    while (Date.now() < deadline) {
      for (const [state, selector] of candidates) {
        if (
          await page
            .locator(selector)
            .first()
            .isVisible()
            .catch(() => false)
        )
          return state;
      }
      const any = candidates.map(([, selector]) => selector).join(', ');
      await page
        .locator(any)
        .first()
        .waitFor({ state: 'visible', timeout: 500 })
        .catch(() => undefined);
    }
    return 'needs-login';
  }

  async login(signal: AbortSignal): Promise<void> {
    await this.#withPage((page) => this.#ready(page, signal, { fresh: true }));
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    signal.throwIfAborted();
    return this.#withPage(async (page) => {
      const start = resolveUrl(
        renderString(this.#ui.startUrl, this.#vars(), encodeURIComponent),
        this.#options.baseUrl,
      );
      await page.goto(start, { waitUntil: 'domcontentloaded' });
      const state = await this.#pageState(page);
      if (state === 'ok') return { state: 'ok' };
      if (state === 'challenge') return { state: 'challenge', reason: 'the site shows a challenge page' };
      return { state: 'needs-login', reason: 'the site shows its login page' };
    });
  }

  async listModels(signal: AbortSignal): Promise<SiteModel[]> {
    const list = this.#ui.listModels;
    if (!list) return staticModels(this.#recipe);
    return this.#withPage(async (page) => {
      await this.#ready(page, signal);
      const context = { page, baseUrl: this.#options.baseUrl, vars: this.#vars(), signal };
      if (list.open) await runSteps(list.open, 'open the model list', context);
      const options = page.locator(selectorOf(list.option, this.#vars()));
      await options.first().waitFor({ state: 'attached', timeout: 5000 });
      const models: SiteModel[] = [];
      const defaults = this.#recipe.capabilities.models;
      const known = new Map(staticModels(this.#recipe).map((model) => [model.id, model]));
      for (const option of await options.all()) {
        const name =
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person sees is wanted
          (await option.innerText().catch(() => '')).trim() || ((await option.textContent()) ?? '').trim();
        const raw = list.idAttribute ? ((await option.getAttribute(list.idAttribute)) ?? '') : name;
        const id = list.idPattern ? (list.idPattern.exec(raw)?.[1] ?? '') : raw;
        if (!id) continue;
        models.push({
          id,
          displayName: known.get(id)?.displayName ?? (name || id),
          capabilities: known.get(id)?.capabilities ?? defaults,
        });
      }
      if (list.close) await runSteps(list.close, 'close the model list', context);
      return models;
    });
  }

  async upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment> {
    signal.throwIfAborted();
    if (!this.#ui.attach)
      throw new GatewayError('invalid_request', 'The recipe does not describe how to attach files.');
    // The page uploads when the file is attached to a message; keep it until then.
    const fileId = `ui-file-${this.#nextFile++}`;
    this.#staged.set(fileId, file);
    return { fileId, mediaType: file.mediaType, filename: file.filename };
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    const steps = this.#ui.deleteThread;
    if (!steps)
      throw new GatewayError('invalid_request', 'The recipe does not describe how to delete a thread.');
    await this.#withPage(async (page) => {
      // Another page may have made the thread since this one last loaded its list.
      await this.#ready(page, signal, { fresh: true });
      await runSteps(steps, 'delete the thread', {
        page,
        baseUrl: this.#options.baseUrl,
        vars: this.#vars({ threadId }),
        signal,
      });
    });
  }

  send(turn: SiteTurn, model: string, signal: AbortSignal): AsyncIterable<SiteEvent> {
    return this.#send(turn, model, signal);
  }

  async *#send(turn: SiteTurn, model: string, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const ui = this.#ui;
    const lease = await this.#options.account.acquirePage();
    const page = lease.page;
    await applyNetworkPolicy(page, () => this.#recipe, this.#options.baseUrl);
    const vars = this.#vars(turnVars(turn, model));
    const context = { page, baseUrl: this.#options.baseUrl, vars, signal };
    const tracker = trackRequest(page, ui.done.request);
    let clean = false;
    const onAbort = () => void this.#stop(page, lease);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Another page may have made (or changed) the thread since this one last loaded its lists.
      await this.#ready(page, signal, { fresh: turn.threadId !== undefined });
      if (turn.threadId) {
        if (!ui.openThread)
          throw new GatewayError('invalid_request', 'The recipe does not describe how to open a thread.');
        await runSteps(ui.openThread, 'open the thread', context).catch((error: unknown) => {
          if (signal.aborted) throw error;
          throw new ThreadNotFoundError(turn.threadId ?? '');
        });
      } else if (ui.newChat) {
        await runSteps(ui.newChat, 'start a new chat', context);
      }
      if (ui.selectModel) await runSteps(ui.selectModel, 'choose the model', context);
      if (vars.systemPrompt !== undefined && ui.systemPrompt)
        await runSteps(ui.systemPrompt, 'set the system prompt', context);
      await this.#attach(page, turn, vars, signal);

      const before = await this.#counts(page, vars);
      await page.locator(selectorOf(ui.input, vars)).last().fill(turn.text, { timeout: 5000 });
      if (ui.send) await page.locator(selectorOf(ui.send, vars)).last().click({ timeout: 5000 });
      else await page.locator(selectorOf(ui.input, vars)).last().press('Enter');

      let threadSent = false;
      const known = turn.threadId;
      for await (const change of watchReply({
        page,
        ui,
        vars,
        before,
        requestFinished: () => tracker.finished(),
        signal,
      })) {
        if (change.type === 'thread') {
          if (!threadSent) yield change;
          threadSent = true;
          continue;
        }
        if (!threadSent && known) {
          threadSent = true;
          yield { type: 'thread', threadId: known };
        }
        yield change;
      }
      if (!threadSent && known) yield { type: 'thread', threadId: known };
      clean = true;
      yield { type: 'finish', reason: 'stop' };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      tracker.dispose();
      if (clean) lease.release();
      else if (!signal.aborted) await lease.discard();
    }
  }

  /** The caller left: stop the reply with the page's stop control (else leave the page), free it. */
  async #stop(page: Page, lease: PageLease): Promise<void> {
    const stop = this.#ui.stop;
    try {
      const control = stop ? page.locator(selectorOf(stop, this.#vars())).last() : undefined;
      if (control && (await control.isVisible())) await control.click({ timeout: 2000 });
      else await page.goto('about:blank');
      lease.release();
    } catch {
      await lease.discard();
    }
  }

  async #attach(page: Page, turn: SiteTurn, vars: TemplateVars, signal: AbortSignal): Promise<void> {
    if (turn.attachments.length === 0) return;
    const attach = this.#ui.attach;
    if (!attach)
      throw new GatewayError('invalid_request', 'The recipe does not describe how to attach files.');
    const files = turn.attachments.map((attachment) => {
      const file = this.#staged.get(attachment.fileId);
      if (!file) throw new GatewayError('invalid_request', `Unknown attachment ${attachment.fileId}.`);
      return { name: file.filename, mimeType: file.mediaType, buffer: Buffer.from(file.data) };
    });
    if (attach.steps)
      await runSteps(attach.steps, 'open the file picker', {
        page,
        baseUrl: this.#options.baseUrl,
        vars,
        signal,
      });
    if (attach.input) {
      await page.locator(selectorOf(attach.input, vars)).last().setInputFiles(files, { timeout: 5000 });
    } else if (attach.button) {
      // Sites often create the file <input> on the fly: answer the chooser the click opens.
      const chooser = page.waitForEvent('filechooser', { timeout: 5000 });
      await page.locator(selectorOf(attach.button, vars)).last().click({ timeout: 5000 });
      await (await chooser).setFiles(files);
    }
    if (attach.ready) {
      const ready = page.locator(selectorOf(attach.ready, vars));
      const deadline = Date.now() + 30_000;
      while ((await ready.count()) < files.length) {
        signal.throwIfAborted();
        if (Date.now() > deadline)
          throw new GatewayError('timeout', 'The page did not finish uploading the files.');
        await ready
          .nth(files.length - 1)
          .waitFor({ state: 'attached', timeout: 500 })
          .catch(() => undefined);
      }
    }
    for (const attachment of turn.attachments) this.#staged.delete(attachment.fileId);
  }

  async #counts(page: Page, vars: TemplateVars): Promise<PageCounts> {
    const ui = this.#ui;
    const count = (selector: Parameters<typeof selectorOf>[0] | undefined) =>
      selector ? page.locator(selectorOf(selector, vars)).count() : Promise.resolve(0);
    return {
      replies: await count(ui.reply),
      thinking: await count(ui.thinking),
      errors: await count(ui.error),
    };
  }

  async close(): Promise<void> {
    this.#staged.clear();
  }
}
