import { GatewayError } from '../../../core/errors.ts';
import type { Page } from '../../../transports/browser/browser-library.ts';
import { type Box, TrustedInput } from '../../../transports/browser/trusted-input.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../../site-contract/site-errors.ts';
import { throwIfSuspended } from './suspended-page.ts';
import { UiSessionEndedError } from './ui-turn-errors.ts';
import { watchThreadGone } from './watch-thread-gone.ts';

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
  emptyState: '[data-testid="empty-state"]',
  assistantMessage: '[data-testid="message"][data-role="assistant"]',
} as const;

export interface UiFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

const ACTION_TIMEOUT_MS = 10_000;

/** One look at the app, in one round trip: where things are and what state it is in. */
interface AppState {
  ready: boolean;
  hash: string;
  stopVisible: boolean;
  newChatShown: boolean;
  models: string[];
  model: string;
  assistants: number;
  newChat: Box | null;
  thread: Box | null;
}

/**
 * Reads AppState in the page. A string, not a function: loaders (tsx) add `__name` helpers to
 * functions with inner named closures, which do not exist in the page.
 */
const APP_STATE_SOURCE = `function (ui, thread) {
  function box(element) {
    if (!element) return null;
    const rect = element.getBoundingClientRect();
    const visible = rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight;
    return visible ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height } : null;
  }
  const picker = document.querySelector(ui.modelPicker);
  const empty = document.querySelector('[data-testid="empty-state"]');
  const stop = document.querySelector(ui.stop);
  const threadItem = thread
    ? Array.from(document.querySelectorAll('[data-testid="thread-item"]')).find(
        (item) => item.getAttribute('data-thread-id') === thread)
    : undefined;
  return {
    ready: document.querySelector(ui.ready) !== null,
    hash: location.hash,
    stopVisible: Boolean(stop) && !stop.hidden,
    newChatShown: location.hash === '' && Boolean(empty) && !empty.hidden,
    models: picker ? Array.from(picker.options).map((option) => option.value) : [],
    model: picker ? picker.value : '',
    assistants: document.querySelectorAll(ui.assistantMessage).length,
    newChat: box(document.querySelector(ui.newChat)),
    thread: box(threadItem ? threadItem.querySelector('.thread-open') : null),
  };
}`;

/**
 * Picks the model and sets the system prompt the way the UI's own controls do (a select change and
 * the collapsed instructions field are not gestures sites check), then focuses an empty composer.
 * Returns null when the model is not offered, and \`waiting\` when a new chat asked for is not shown yet.
 */
const COMPOSE_SOURCE = `function (ui, model, systemPrompt, newChat) {
  if (newChat) {
    const empty = document.querySelector(ui.emptyState);
    if (location.hash !== '' || !empty || empty.hidden) return { waiting: true };
  }
  const picker = document.querySelector(ui.modelPicker);
  if (!picker || !Array.from(picker.options).some((option) => option.value === model)) return null;
  if (picker.value !== model) {
    picker.value = model;
    picker.dispatchEvent(new Event('change', { bubbles: true }));
  }
  const field = systemPrompt === null ? null : document.querySelector(ui.systemPrompt);
  if (field) {
    field.value = systemPrompt;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }
  const composer = document.querySelector(ui.composer);
  composer.value = '';
  composer.focus();
  const send = document.querySelector(ui.send);
  const rect = send ? send.getBoundingClientRect() : null;
  return {
    assistants: document.querySelectorAll(ui.assistantMessage).length,
    send: rect && rect.width > 0 ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height } : null,
  };
}`;

/** Where a control is, or null when it is missing, hidden or disabled. */
const ENABLED_BOX_SOURCE = `function (selector) {
  const element = document.querySelector(selector);
  if (!element || element.disabled || element.hidden) return null;
  const rect = element.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0 ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height } : null;
}`;

/**
 * Drives the demo chat's own web UI like a person: open the chat (new or an existing thread), pick
 * the model, attach files through the file input, type, send, stop. Clicks and typing are trusted
 * CDP input at positions read just before; knows nothing about how the reply is read.
 */
export class DemoUiPage {
  readonly page: Page;
  readonly #appUrl: string;
  readonly #input: TrustedInput;
  #newChatClicked = false;

  constructor(page: Page, baseUrl: string, streaming: 'sse' | 'ws') {
    this.page = page;
    const base = baseUrl.replace(/\/$/, '');
    this.#appUrl = `${base}/${streaming === 'ws' ? '?transport=ws' : ''}`;
    this.#input = TrustedInput.for(page);
  }

  /** Puts the app on the thread (or a new chat), ready for input. */
  async open(threadId: string | undefined): Promise<void> {
    const state = this.#isOnApp() ? await this.#state(threadId) : undefined;
    if (!state?.ready || state.stopVisible) {
      await this.#load(threadId);
      return;
    }
    if (threadId) {
      if (decodeURIComponent(state.hash.slice(1)) === threadId) return;
      if (!state.thread) {
        // Not in the sidebar list: open it by address, as a bookmark would.
        await this.#load(threadId);
        return;
      }
      const box = state.thread;
      await this.#openingThread(threadId, () => this.#input.click(box));
      return;
    }
    if (state.newChatShown) return;
    if (!state.newChat) throw new GatewayError('upstream', 'The site UI shows no "new chat" control.');
    // The app empties the chat in its click handler; \`prepare\` checks it took before typing.
    await this.#input.click(state.newChat);
    this.#newChatClicked = true;
  }

  #state(threadId: string | undefined): Promise<AppState> {
    const args = JSON.stringify([
      {
        ready: DEMO_UI.ready,
        modelPicker: DEMO_UI.modelPicker,
        stop: DEMO_UI.stop,
        assistantMessage: DEMO_UI.assistantMessage,
        newChat: DEMO_UI.newChat,
      },
      threadId ?? '',
    ]);
    return this.page.evaluate(`(${APP_STATE_SOURCE})(...${args})`) as Promise<AppState>;
  }

  async #load(threadId: string | undefined): Promise<void> {
    if (threadId) await this.#openingThread(threadId, () => this.#navigate(threadId));
    else await this.#navigate(undefined);
  }

  async #navigate(threadId: string | undefined): Promise<void> {
    const url = `${this.#appUrl}${threadId ? `#${encodeURIComponent(threadId)}` : ''}`;
    if (this.#withoutHash(this.page.url()) === this.#appUrl) {
      // Only the hash would change: that is no navigation, and the app reads the hash at start-up.
      await this.page.evaluate((hash) => {
        location.hash = hash;
      }, threadId ?? '');
      await this.page.reload({ waitUntil: 'domcontentloaded' });
    } else {
      const response = await this.page.goto(url, { waitUntil: 'domcontentloaded' });
      if (response?.status() === 403) {
        await throwIfSuspended(this.page);
        throw new NeedsLoginError('the site shows a challenge page');
      }
    }
    await this.#afterLoad();
  }

  async #afterLoad(): Promise<void> {
    await this.#throwIfLoginOrChallenge();
    await this.page
      .waitForSelector(DEMO_UI.ready, { timeout: ACTION_TIMEOUT_MS })
      .catch(async (error: unknown) => {
        // Read too early: the page may have gone on to its login or challenge page since.
        await this.#throwIfOffApp();
        throw error;
      });
  }

  /**
   * Opens a thread through `open` (a click or a page load) and waits until the app shows it, or
   * throws ThreadNotFoundError as soon as the site answers the app that the thread is gone.
   */
  async #openingThread(threadId: string, open: () => Promise<void>): Promise<void> {
    const watch = watchThreadGone(this.page, threadId);
    try {
      await open();
      const shown = this.page
        .waitForFunction((id) => decodeURIComponent(location.hash.slice(1)) === id, threadId, {
          timeout: ACTION_TIMEOUT_MS,
        })
        .then(() => 'shown' as const);
      shown.catch(() => undefined);
      const outcome = await Promise.race([shown, watch.gone.then(() => 'gone' as const)]).catch(() => {
        throw new GatewayError('not_found', `The site UI could not open thread ${threadId}.`);
      });
      if (outcome === 'gone') throw new ThreadNotFoundError(threadId);
    } finally {
      watch.stop();
    }
  }

  /** Fills the composer for one turn; returns how many assistant messages the thread already shows. */
  async prepare(input: {
    model: string;
    text: string;
    systemPrompt?: string;
    files: UiFile[];
  }): Promise<number> {
    if (input.files.length > 0) await this.#attach(input.files);
    const newChat = this.#newChatClicked;
    this.#newChatClicked = false;
    const args = JSON.stringify([
      {
        modelPicker: DEMO_UI.modelPicker,
        systemPrompt: DEMO_UI.systemPrompt,
        composer: DEMO_UI.composer,
        assistantMessage: DEMO_UI.assistantMessage,
        emptyState: DEMO_UI.emptyState,
        send: DEMO_UI.send,
      },
      input.model,
      input.systemPrompt ?? null,
      newChat,
    ]);
    const compose = async () =>
      (await this.page.evaluate(`(${COMPOSE_SOURCE})(...${args})`)) as
        | { assistants: number; send: Box | null; waiting?: undefined }
        | { waiting: true }
        | null;
    let result = await compose();
    if (result?.waiting) {
      // Or the page left the app: a call the click made met a challenge or an ended session.
      await this.page
        .waitForFunction(
          () =>
            location.hash === '' ||
            location.pathname === '/login' ||
            document.title.startsWith('Just a moment'),
          undefined,
          { timeout: ACTION_TIMEOUT_MS },
        )
        .catch(async (error: unknown) => {
          await this.#throwIfOffApp();
          throw error;
        });
      result = await compose();
    }
    if (result?.waiting || !result) {
      // The app may have bounced to its login or challenge page meanwhile (a background call found
      // the session over): say so, so that the turn is retried after logging in.
      await this.#throwIfOffApp();
      if (result?.waiting) throw new GatewayError('upstream', 'The site UI did not open a new chat.');
      throw new GatewayError('not_found', `The site has no model ${input.model}.`);
    }
    // On the way to the send button while typing; the click then needs no move of its own.
    if (result.send) void this.#input.hover(result.send).catch(() => undefined);
    if (input.text) await this.#input.insertText(input.text);
    return result.assistants;
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
    // Read after typing: the composer grows with its text and moves the button.
    const box = (await this.page.evaluate(
      `(${ENABLED_BOX_SOURCE})(${JSON.stringify(DEMO_UI.send)})`,
    )) as Box | null;
    if (box) {
      await this.#input.click(box);
      return;
    }
    // No usable send button: the page may be leaving for its login or challenge page.
    await this.#throwIfOffApp();
    await this.page.click(DEMO_UI.send, { timeout: ACTION_TIMEOUT_MS }).catch(async (error: unknown) => {
      await this.#throwIfOffApp();
      throw error;
    });
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

  async #throwIfOffApp(): Promise<void> {
    await this.page
      .waitForLoadState('domcontentloaded', { timeout: ACTION_TIMEOUT_MS })
      .catch(() => undefined);
    await this.#throwIfLoginOrChallenge();
    if (!this.#isOnApp()) throw new Error('The site page navigated away while the turn was prepared.');
  }

  /** The page shows the site's suspended page, its login page (the session ended) or its challenge interstitial. */
  async #throwIfLoginOrChallenge(): Promise<void> {
    await throwIfSuspended(this.page);
    if (new URL(this.page.url()).pathname === '/login') throw new UiSessionEndedError();
    const title = await this.page.title().catch(() => '');
    if (title.startsWith('Just a moment')) throw new NeedsLoginError('the site shows a challenge page');
  }

  #isOnApp(): boolean {
    return this.#withoutHash(this.page.url()) === this.#appUrl;
  }

  #withoutHash(url: string): string {
    const hash = url.indexOf('#');
    return hash === -1 ? url : url.slice(0, hash);
  }
}
