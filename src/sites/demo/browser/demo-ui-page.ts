import { GatewayError } from '../../../core/errors.ts';
import type { Page } from '../../../transports/browser/browser-library.ts';
import { NeedsLoginError } from '../../site-errors.ts';

/** The demo chat UI's stable hooks (demo-site/CONTRACT.md). */
export const DEMO_UI = {
  ready: 'body[data-ready="true"]',
  modelPicker: '[data-testid="model-picker"]',
  composer: '[data-testid="composer-input"]',
  send: '[data-testid="send-button"]',
  stop: '[data-testid="stop-button"]',
  fileInput: '[data-testid="file-input"]',
  attachmentChip: '[data-testid="attachment-chip"]',
  systemPrompt: '[data-testid="system-prompt"]',
  newChat: '[data-testid="new-chat"]',
  assistantMessage: '[data-testid="message"][data-role="assistant"]',
  threadItem: (threadId: string) => `[data-testid="thread-item"][data-thread-id="${CSS_ESCAPE(threadId)}"]`,
} as const;

function CSS_ESCAPE(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

/** The UI bounced to the login page: the session ended. The caller logs in and starts over. */
export class UiSessionEndedError extends Error {
  constructor() {
    super('The site session ended (the UI is on its login page).');
    this.name = 'UiSessionEndedError';
  }
}

/** The page's CSRF token is from an older session; a fresh page load fixes it. */
export class UiPageStaleError extends Error {
  constructor() {
    super('The site page holds an outdated session token.');
    this.name = 'UiPageStaleError';
  }
}

export interface UiFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

const ACTION_TIMEOUT_MS = 10_000;

/**
 * Drives the demo chat's own web UI like a person: open the chat (new or an existing thread), pick
 * the model, attach files through the file input, type, send, stop. Knows nothing about how the
 * reply is read (network capture or DOM).
 */
export class DemoUiPage {
  readonly page: Page;
  readonly #appUrl: string;

  constructor(page: Page, baseUrl: string, streaming: 'sse' | 'ws') {
    this.page = page;
    const base = baseUrl.replace(/\/$/, '');
    this.#appUrl = `${base}/${streaming === 'ws' ? '?transport=ws' : ''}`;
  }

  /** Puts the app on the thread (or a new chat), ready for input. */
  async open(threadId: string | undefined): Promise<void> {
    const onApp = this.#isOnApp() && (await this.#isReady()) && !(await this.isStopVisible());
    if (!onApp) {
      await this.#load(threadId);
    } else if (threadId) {
      await this.#switchToThread(threadId);
    } else {
      await this.page.click(DEMO_UI.newChat, { timeout: ACTION_TIMEOUT_MS });
      await this.page.waitForFunction(() => location.hash === '', undefined, { timeout: ACTION_TIMEOUT_MS });
    }
  }

  async #load(threadId: string | undefined): Promise<void> {
    const url = `${this.#appUrl}${threadId ? `#${encodeURIComponent(threadId)}` : ''}`;
    if (this.#withoutHash(this.page.url()) === this.#appUrl) {
      // Only the hash would change: that is no navigation, and the app reads the hash at start-up.
      await this.page.evaluate((hash) => {
        location.hash = hash;
      }, threadId ?? '');
      await this.page.reload({ waitUntil: 'domcontentloaded' });
    } else {
      const response = await this.page.goto(url, { waitUntil: 'domcontentloaded' });
      if (response?.status() === 403) throw new NeedsLoginError('the site shows a challenge page');
    }
    await this.#afterLoad();
    if (threadId) await this.#waitForActiveThread(threadId);
  }

  async #afterLoad(): Promise<void> {
    const url = new URL(this.page.url());
    if (url.pathname === '/login') throw new UiSessionEndedError();
    if ((await this.page.title()).startsWith('Just a moment')) {
      throw new NeedsLoginError('the site shows a challenge page');
    }
    await this.page.waitForSelector(DEMO_UI.ready, { timeout: ACTION_TIMEOUT_MS });
  }

  async #switchToThread(threadId: string): Promise<void> {
    const active = await this.page.evaluate(() => location.hash.slice(1));
    if (decodeURIComponent(active) === threadId) return;
    const item = this.page.locator(`${DEMO_UI.threadItem(threadId)} .thread-open`);
    if ((await item.count()) === 0) {
      // Not in the sidebar list: open it by address, as a bookmark would.
      await this.#load(threadId);
      return;
    }
    await item.click({ timeout: ACTION_TIMEOUT_MS });
    await this.#waitForActiveThread(threadId);
  }

  async #waitForActiveThread(threadId: string): Promise<void> {
    await this.page
      .waitForFunction((id) => decodeURIComponent(location.hash.slice(1)) === id, threadId, {
        timeout: ACTION_TIMEOUT_MS,
      })
      .catch(() => {
        throw new GatewayError('not_found', `The site UI could not open thread ${threadId}.`);
      });
  }

  /** Fills the composer for one turn; returns how many assistant messages the thread already shows. */
  async prepare(input: {
    model: string;
    text: string;
    systemPrompt?: string;
    files: UiFile[];
  }): Promise<number> {
    const models = await this.page.$$eval(`${DEMO_UI.modelPicker} option`, (options) =>
      options.map((option) => (option as HTMLOptionElement).value),
    );
    if (!models.includes(input.model))
      throw new GatewayError('not_found', `The site has no model ${input.model}.`);
    await this.page.selectOption(DEMO_UI.modelPicker, input.model, { timeout: ACTION_TIMEOUT_MS });
    if (input.systemPrompt !== undefined) {
      // The field sits in a collapsed panel: set it as the panel would, without opening it.
      await this.page.locator(DEMO_UI.systemPrompt).evaluate((element, value) => {
        (element as HTMLTextAreaElement).value = value;
        element.dispatchEvent(new Event('input', { bubbles: true }));
      }, input.systemPrompt);
    }
    if (input.files.length > 0) await this.#attach(input.files);
    await this.page.fill(DEMO_UI.composer, input.text, { timeout: ACTION_TIMEOUT_MS });
    return this.page.locator(DEMO_UI.assistantMessage).count();
  }

  async #attach(files: UiFile[]): Promise<void> {
    await this.page.setInputFiles(DEMO_UI.fileInput, files, { timeout: ACTION_TIMEOUT_MS });
    await this.page.waitForFunction(
      ([selector, count]) => {
        const chips = [...document.querySelectorAll(selector as string)];
        return (
          chips.length >= (count as number) &&
          chips.every((chip) => chip.getAttribute('data-status') !== 'uploading')
        );
      },
      [DEMO_UI.attachmentChip, files.length] as const,
      { timeout: 30_000 },
    );
    const failed = await this.page.$$eval(`${DEMO_UI.attachmentChip}[data-status="error"]`, (chips) =>
      chips.map((chip) => chip.getAttribute('title') ?? 'upload failed'),
    );
    if (failed.length > 0)
      throw new GatewayError('invalid_request', `The site refused the upload: ${failed.join('; ')}`);
  }

  async clickSend(): Promise<void> {
    await this.page.click(DEMO_UI.send, { timeout: ACTION_TIMEOUT_MS });
  }

  async isStopVisible(): Promise<boolean> {
    return this.page.locator(DEMO_UI.stop).isVisible();
  }

  /** Clicks stop if a reply is streaming and waits for the control to go; false if it did not. */
  async stop(timeoutMs = 1500): Promise<boolean> {
    if (!(await this.isStopVisible().catch(() => false))) return true;
    await this.page.click(DEMO_UI.stop, { timeout: timeoutMs }).catch(() => undefined);
    return this.waitForStopGone(timeoutMs);
  }

  /**
   * The stop the UI's button is meant to send, sent by hand with the page's own CSRF token: the
   * fallback when the button does not take (the demo UI loses the message id on its WebSocket path).
   */
  async stopThroughApi(messageId: string): Promise<void> {
    await this.page.evaluate(async (id) => {
      const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
      await fetch(`/api/messages/${encodeURIComponent(id)}/stop`, {
        method: 'POST',
        headers: { 'x-csrf-token': token, 'content-type': 'application/json' },
        body: '{}',
      });
    }, messageId);
  }

  waitForStopGone(timeoutMs: number): Promise<boolean> {
    return this.page
      .locator(DEMO_UI.stop)
      .waitFor({ state: 'hidden', timeout: timeoutMs })
      .then(
        () => true,
        () => false,
      );
  }

  #isOnApp(): boolean {
    return this.#withoutHash(this.page.url()) === this.#appUrl;
  }

  async #isReady(): Promise<boolean> {
    return (await this.page.locator(DEMO_UI.ready).count()) > 0;
  }

  #withoutHash(url: string): string {
    const hash = url.indexOf('#');
    return hash === -1 ? url : url.slice(0, hash);
  }
}
