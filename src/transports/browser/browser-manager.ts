import { join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { BrowserAccount, type BrowserAccountOptions } from './browser-account.ts';
import { type Browser, launchChromium } from './browser-library.ts';
import { type BrowserMode, chromiumArgs } from './chromium-args.ts';
import { findChromium } from './find-chromium.ts';
import { StorageStateStore } from './storage-state-store.ts';
import { startVirtualDisplay, type VirtualDisplay } from './virtual-display.ts';

export interface BrowserManagerOptions {
  /** Root of the account profile directories (`<dataDir>/<account>/storage-state.json`). */
  dataDir: string;
  /** Chromium binary; else CHROME_PATH, else the usual install paths. */
  executablePath?: string;
  /** `headless` (new headless, the server default) or `headful` (on an X display, Xvfb by default). */
  mode?: BrowserMode;
  /** Headful only: an existing X display (":0"); without it an Xvfb is started. */
  display?: string;
  /** Added to the built-in Chromium flags. */
  extraArgs?: string[];
  launchTimeoutMs?: number;
  /** Encrypts the accounts' session snapshots on disk (see StorageStateStore); without it, plaintext. */
  secretBox?: SecretBox;
  logger: Logger;
}

export interface BrowserProcess {
  pid: number;
  /** Chromium's process type: browser, renderer, GPU, utility… */
  type: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * One Chromium for the whole gateway and one context per site account. The browser is launched on
 * first use and again on next use after it crashed or was killed; accounts then reopen their
 * contexts from their last snapshot.
 */
export class BrowserManager {
  readonly #options: BrowserManagerOptions;
  readonly #accounts = new Map<string, BrowserAccount>();
  #browser: Promise<Browser> | undefined;
  #display: Promise<VirtualDisplay> | undefined;
  #launches = 0;
  #closed = false;

  constructor(options: BrowserManagerOptions) {
    this.#options = options;
  }

  /** How many times Chromium was started (more than one means it was relaunched after a crash). */
  get launches(): number {
    return this.#launches;
  }

  /** The account's handle, created on first call; same id → same handle. */
  account(id: string, options: BrowserAccountOptions): BrowserAccount {
    if (!ACCOUNT_ID.test(id))
      throw new Error(`Browser account ids are letters, digits, '.', '_' and '-': ${id}`);
    let account = this.#accounts.get(id);
    if (!account) {
      account = new BrowserAccount(
        {
          id,
          browser: () => this.browser(),
          store: new StorageStateStore(join(this.#options.dataDir, id), {
            secretBox: this.#options.secretBox,
          }),
          logger: this.#options.logger,
        },
        options,
      );
      this.#accounts.set(id, account);
    }
    return account;
  }

  /** An account created earlier with `account()`, if any. */
  findAccount(id: string): BrowserAccount | undefined {
    return this.#accounts.get(id);
  }

  /** The running browser, launched (again) if needed. */
  async browser(): Promise<Browser> {
    for (;;) {
      if (this.#closed) throw new Error('The browser manager is closed.');
      this.#browser ??= this.#launch().catch((error: unknown) => {
        this.#browser = undefined;
        throw error;
      });
      const launching = this.#browser;
      const browser = await launching;
      if (browser.isConnected()) return browser;
      // Died before its disconnect event was handled.
      if (this.#browser === launching) this.#browser = undefined;
    }
  }

  async #launch(): Promise<Browser> {
    const { logger } = this.#options;
    const executablePath = findChromium({ configured: this.#options.executablePath });
    const mode = this.#options.mode ?? 'headless';
    let env: Record<string, string> | undefined;
    if (mode === 'headful') {
      const display = this.#options.display ?? (await this.#virtualDisplay()).display;
      env = { ...definedEnv(), DISPLAY: display };
    }
    const started = Date.now();
    const browser = await launchChromium({
      executablePath,
      headless: mode === 'headless',
      args: chromiumArgs(this.#options.extraArgs),
      env,
      timeoutMs: this.#options.launchTimeoutMs ?? 30_000,
    });
    this.#launches++;
    const launched = this.#browser;
    browser.on('disconnected', () => {
      if (this.#browser !== launched) return;
      this.#browser = undefined;
      if (!this.#closed) logger.warn('browser disconnected (crashed or killed); relaunching on next use');
    });
    logger.info(
      { executablePath, mode, version: browser.version(), ms: Date.now() - started },
      'browser launched',
    );
    return browser;
  }

  #virtualDisplay(): Promise<VirtualDisplay> {
    this.#display ??= startVirtualDisplay().catch((error: unknown) => {
      this.#display = undefined;
      throw error;
    });
    return this.#display;
  }

  /** Chromium's processes right now (for memory figures); empty when it is not running. */
  async processes(): Promise<BrowserProcess[]> {
    if (!this.#browser) return [];
    const browser = await this.#browser.catch(() => undefined);
    if (!browser?.isConnected()) return [];
    const session = await browser.newBrowserCDPSession();
    try {
      const info = await session.send('SystemInfo.getProcessInfo');
      return info.processInfo.map((process) => ({ pid: process.id, type: process.type }));
    } finally {
      await session.detach().catch(() => undefined);
    }
  }

  /** Saves every account's session, closes the contexts, the browser and the virtual display. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#accounts.values()].map((account) => account.close()));
    this.#closed = true;
    const browser = this.#browser ? await this.#browser.catch(() => undefined) : undefined;
    this.#browser = undefined;
    await browser?.close().catch(() => undefined);
    const display = this.#display ? await this.#display.catch(() => undefined) : undefined;
    this.#display = undefined;
    await display?.close();
  }
}

function definedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) out[key] = value;
  return out;
}
