import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { type BrowserProxySettings, browserProxySettings, maskProxyUrl } from '../proxy.ts';
import type { Browser, BrowserContext, Page } from './browser-library.ts';
import { desktopUserAgent } from './chromium-args.ts';
import { type PageLease, PageWatch } from './page-lease.ts';
import {
  mergeSessionStorage,
  readSessionStorage,
  type SessionStorageOrigin,
  seedSessionStorage,
} from './session-storage.ts';
import type { StorageStateStore } from './storage-state-store.ts';

export interface BrowserAccountOptions {
  /** The site page the account's pages open on; in-page fetches run on its origin. */
  homeUrl: string;
  /** Idle pages kept open and on the site, ready for the next operation. */
  warmPages?: number;
  /** Time to load the home page. */
  navigationTimeoutMs?: number;
  /**
   * The account's proxy (`http://`, `https://`, or `socks5://` without credentials: Chromium cannot
   * log in to SOCKS5). The account's context loads everything through it, loopback hosts included.
   */
  proxy?: string;
}

export interface BrowserAccountDeps {
  id: string;
  browser: () => Promise<Browser>;
  store: StorageStateStore;
  logger: Logger;
}

const SAVE_DEBOUNCE_MS = 300;

/**
 * One site account inside the shared browser: its own context (cookies, storage), restored from and
 * saved to its snapshot, and a small pool of warm pages. The snapshot is Playwright's storage state
 * (cookies, localStorage, IndexedDB) plus the sessionStorage of the account's open pages, which every
 * page the account opens gets back (see session-storage.ts). It survives crashes: a dead context or
 * browser is replaced on next use, from the last snapshot.
 */
export class BrowserAccount {
  readonly id: string;
  readonly homeUrl: string;
  readonly #deps: BrowserAccountDeps;
  readonly #warmPages: number;
  readonly #navigationTimeoutMs: number;
  readonly #proxy: BrowserProxySettings | undefined;
  /** ` through the proxy <url, password masked>`, for error messages; empty without a proxy. */
  readonly #through: string;
  #context: Promise<BrowserContext> | undefined;
  #idle: PageWatch[] = [];
  #savedCookies: string | undefined;
  /** The sessionStorage new pages are seeded with: the last snapshot's, updated by each save. */
  #sessionStorage: SessionStorageOrigin[] = [];
  #saveTimer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(deps: BrowserAccountDeps, options: BrowserAccountOptions) {
    this.id = deps.id;
    this.#deps = deps;
    this.homeUrl = options.homeUrl;
    this.#warmPages = options.warmPages ?? 1;
    this.#navigationTimeoutMs = options.navigationTimeoutMs ?? 30_000;
    // Checked now, so a proxy Chromium cannot use fails at start-up rather than on first use.
    this.#proxy = options.proxy ? browserProxySettings(options.proxy) : undefined;
    this.#through = options.proxy ? ` through the proxy ${maskProxyUrl(options.proxy)}` : '';
  }

  get origin(): string {
    return new URL(this.homeUrl).origin;
  }

  /** The account's live context, created (and its snapshot restored) on first use or after a crash. */
  async context(): Promise<BrowserContext> {
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw new GatewayError('upstream', 'The browser account is closed.');
      this.#context ??= this.#openContext().catch((error: unknown) => {
        this.#context = undefined;
        throw error;
      });
      const opening = this.#context;
      const context = await opening;
      if (!closedContexts.has(context) && context.browser()?.isConnected() !== false) return context;
      // Closed under us (the browser died) before its close event was handled: open a fresh one.
      if (this.#context === opening) this.#context = undefined;
      if (attempt > 0) throw new GatewayError('upstream', 'The browser closed while opening the account.');
    }
  }

  async #openContext(): Promise<BrowserContext> {
    const browser = await this.#deps.browser();
    const snapshot = await this.#deps.store.load();
    // Playwright's part only; sessionStorage is put back page by page (#openPage).
    const { sessionStorage = [], ...state } = snapshot ?? { cookies: [], origins: [] };
    const context = await browser.newContext({
      storageState: snapshot ? state : undefined,
      userAgent: desktopUserAgent(browser.version()),
      viewport: { width: 1280, height: 800 },
      ...(this.#proxy ? { proxy: this.#proxy } : {}),
    });
    this.#savedCookies = snapshot ? cookieFingerprint(state.cookies) : undefined;
    this.#sessionStorage = sessionStorage;
    const current = this.#context;
    context.on('close', () => {
      closedContexts.add(context);
      // Only forget it if it is still ours (a newer context may already have replaced it).
      if (this.#context === current) {
        this.#context = undefined;
        this.#idle = [];
        if (!this.#closed)
          this.#deps.logger.warn({ account: this.id }, 'browser context closed; reopening on next use');
      }
    });
    return context;
  }

  /** Opens idle pages up to the warm-pool size, so the first request does not pay for a page load. */
  async warm(): Promise<void> {
    const missing = this.#warmPages - this.#idle.filter((watch) => !watch.dead).length;
    const pages = await Promise.all(Array.from({ length: Math.max(0, missing) }, () => this.#openPage()));
    for (const watch of pages) this.#idle.push(watch);
  }

  /** Exclusive use of a page already on the site (a warm one when available). */
  async acquirePage(): Promise<PageLease> {
    let watch: PageWatch | undefined;
    while (!watch) {
      const candidate = this.#idle.pop();
      if (!candidate) {
        watch = await this.#openPage();
      } else if (!candidate.dead) {
        watch = candidate;
      }
    }
    return this.#lease(watch);
  }

  async #openPage(): Promise<PageWatch> {
    let page: Page;
    try {
      page = await (await this.context()).newPage();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // The context went away between the check and the call; one fresh attempt.
      page = await (await this.context()).newPage().catch((retryError: unknown) => {
        throw new GatewayError('upstream', 'The browser could not open a page.', { cause: retryError });
      });
    }
    const watch = new PageWatch(page);
    watches.set(page, watch);
    // Before the first navigation, so the site's scripts find their sessionStorage already there.
    await seedSessionStorage(page, this.#sessionStorage).catch((error: unknown) =>
      this.#deps.logger.debug({ account: this.id, err: error }, 'could not restore sessionStorage'),
    );
    try {
      await page.goto(this.homeUrl, { waitUntil: 'domcontentloaded', timeout: this.#navigationTimeoutMs });
    } catch (error) {
      await page.close().catch(() => undefined);
      throw new GatewayError('upstream', `The browser could not open ${this.origin}${this.#through}.`, {
        cause: error,
      });
    }
    return watch;
  }

  #lease(watch: PageWatch): PageLease {
    let returned = false;
    const account = this;
    return {
      page: watch.page,
      get dead() {
        return watch.dead;
      },
      onDeath: (listener) => watch.onDeath(listener),
      release() {
        if (returned) return;
        returned = true;
        if (!watch.dead && !account.#closed && account.#idle.length < account.#warmPages)
          account.#idle.push(watch);
        else void closePage(watch.page);
      },
      async discard() {
        if (returned) return;
        returned = true;
        await closePage(watch.page);
      },
    };
  }

  /** Pages of the account that are open right now (for the remote-login viewer and diagnostics). */
  async openPages(): Promise<Page[]> {
    if (!this.#context) return [];
    const context = await this.#context.catch(() => undefined);
    return context ? context.pages().filter((page) => !page.isClosed()) : [];
  }

  async cookies(url: string): Promise<Record<string, string>> {
    const context = await this.context();
    const out: Record<string, string> = {};
    for (const cookie of await context.cookies(url)) out[cookie.name] = cookie.value;
    return out;
  }

  async clearCookies(): Promise<void> {
    const context = await this.context();
    await context.clearCookies();
  }

  /** Snapshots the session, the open pages' sessionStorage included, now (after a login, or when asked). */
  saveState(): Promise<void> {
    this.#saving = this.#saving.then(
      () => this.#save(),
      () => this.#save(),
    );
    return this.#saving;
  }

  async #save(): Promise<void> {
    if (!this.#context) return;
    const context = await this.#context.catch(() => undefined);
    if (!context) return;
    // Every open page counts (warm, leased, or opened by others on this context): sessionStorage is
    // per tab, and Playwright's storage state leaves it out.
    const [state, read] = await Promise.all([
      context.storageState({ indexedDB: true }),
      readSessionStorage(context.pages().filter((page) => !watches.get(page)?.dead)),
    ]);
    const sessionStorage = mergeSessionStorage(this.#sessionStorage, read);
    await this.#deps.store.save(sessionStorage.length > 0 ? { ...state, sessionStorage } : state);
    this.#savedCookies = cookieFingerprint(state.cookies);
    this.#sessionStorage = sessionStorage;
    this.#deps.logger.debug({ account: this.id }, 'browser session snapshot saved');
  }

  /**
   * Saves a snapshot soon if the cookies changed since the last one. Transports call it after each
   * exchange, so a login (or a refreshed session cookie) is persisted without the adapter knowing.
   */
  scheduleSave(): void {
    if (this.#closed || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#saveIfCookiesChanged().catch((error: unknown) =>
        this.#deps.logger.warn(
          { account: this.id, err: error },
          'could not save the browser session snapshot',
        ),
      );
    }, SAVE_DEBOUNCE_MS);
    this.#saveTimer.unref();
  }

  async #saveIfCookiesChanged(): Promise<void> {
    const context = this.#context ? await this.#context.catch(() => undefined) : undefined;
    if (!context) return;
    const fingerprint = cookieFingerprint(await context.cookies());
    if (fingerprint !== this.#savedCookies) await this.saveState();
  }

  /** Saves the session and closes the context. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    await this.saveState().catch((error: unknown) =>
      this.#deps.logger.warn({ account: this.id, err: error }, 'could not save the browser session snapshot'),
    );
    this.#closed = true;
    const context = this.#context ? await this.#context.catch(() => undefined) : undefined;
    this.#context = undefined;
    this.#idle = [];
    await context?.close().catch(() => undefined);
  }
}

/**
 * The watch of each page the accounts opened. A crashed page stays in \`context.pages()\` until
 * closed, and any CDP call on it makes the library reject promises nobody holds; snapshots leave
 * dead pages out.
 */
const watches = new WeakMap<Page, PageWatch>();

/** Contexts that reported their close (Playwright has no public isClosed for contexts). */
const closedContexts = new WeakSet<BrowserContext>();

function cookieFingerprint(
  cookies: ReadonlyArray<{ name: string; value: string; domain: string; path: string }>,
): string {
  return JSON.stringify(cookies.map((c) => [c.domain, c.path, c.name, c.value]).sort());
}

async function closePage(page: Page): Promise<void> {
  await page.close().catch(() => undefined);
}
