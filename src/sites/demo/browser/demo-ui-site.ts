import { GatewayError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { BrowserAccount } from '../../../transports/browser/browser-account.ts';
import type { PageLease } from '../../../transports/browser/page-lease.ts';
import {
  SITE_INTERFACE_VERSION,
  type SessionState,
  type Site,
  type SiteAttachment,
  type SiteEvent,
  type SiteModel,
  type SiteTurn,
  type UploadInput,
} from '../../../site-contract/site.ts';
import { ThreadNotFoundError } from '../../../site-contract/site-errors.ts';
import { DEMO_SITE_CAPABILITIES, type DemoSiteAdapter } from '../demo-site-adapter.ts';
import { type ReplyReaderMode, type ReplyReading, startReplyReader } from './capture-demo-reply.ts';
import { DemoUiPage, type UiFile } from './demo-ui-page.ts';
import { UiPageStaleError, UiSessionEndedError, UiTurnNotSentError } from './ui-turn-errors.ts';
import { StagedUploads } from './staged-uploads.ts';

export interface DemoUiSiteOptions {
  /** The API-level adapter (over in-page fetch) for login, models, threads and what the UI cannot express. */
  api: DemoSiteAdapter;
  account: BrowserAccount;
  baseUrl: string;
  streaming: 'sse' | 'ws';
  /** How the reply is read: the site's own stream over CDP, or the rendered page. */
  reader: ReplyReaderMode;
  logger: Logger;
}

/**
 * The demo site used the way a person uses it: each turn is typed into the chat UI of a warm page
 * and sent with its button; files go through the file input. Everything without a UI gesture (login,
 * model list, thread deletion, session checks), and turns the UI cannot express (native tools, tool
 * results, a token cap), go through the page's own API calls instead.
 */
export class DemoUiSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities = DEMO_SITE_CAPABILITIES;
  readonly #options: DemoUiSiteOptions;
  readonly #staged = new StagedUploads();

  constructor(options: DemoUiSiteOptions) {
    this.id = options.api.id;
    this.#options = options;
  }

  listModels(signal?: AbortSignal): Promise<SiteModel[]> {
    return this.#options.api.listModels(signal);
  }

  login(signal: AbortSignal): Promise<void> {
    return this.#options.api.login(signal);
  }

  checkSession(signal: AbortSignal): Promise<SessionState> {
    return this.#options.api.checkSession(signal);
  }

  deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    return this.#options.api.deleteThread(threadId, signal);
  }

  /**
   * Held until a turn uses it: the UI uploads a file from its composer, on every turn that attaches
   * it (the demo UI cannot attach a file uploaded before, so a file repeated later goes up again).
   */
  async upload(file: UploadInput, _signal: AbortSignal): Promise<SiteAttachment> {
    return this.#staged.stage(file);
  }

  send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const uiExpressible =
      !turn.tools?.length &&
      !turn.toolResults?.length &&
      turn.maxOutputTokens === undefined &&
      turn.attachments.every((attachment) => StagedUploads.isStaged(attachment.fileId));
    return uiExpressible ? this.#sendThroughUi(turn, signal) : this.#sendThroughApi(turn, signal);
  }

  async close(): Promise<void> {
    await this.#options.api.close();
  }

  async *#sendThroughApi(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const attachments: SiteAttachment[] = [];
    for (const attachment of turn.attachments) {
      const staged = this.#staged.get(attachment.fileId);
      attachments.push(staged ? await this.#options.api.upload(staged, signal) : attachment);
    }
    yield* this.#options.api.send({ ...turn, attachments }, signal);
  }

  async *#sendThroughUi(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const files = turn.attachments.map((attachment) => this.#uiFile(attachment));
    let loggedInAgain = false;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      const lease = await this.#options.account.acquirePage();
      const ui = new DemoUiPage(lease.page, this.#options.baseUrl, this.#options.streaming);
      let reading: ReplyReading | undefined;
      /** The page can serve the next turn as it is: the reply finished, or the app showed a new chat. */
      let clean = false;
      let sessionEnded = false;
      try {
        // Listening to the page's traffic and getting the UI ready overlap; a reader that started
        // is closed with the page even when the UI failed.
        const [started, shown] = await Promise.allSettled([
          startReplyReader(this.#options.reader, {
            lease,
            streaming: this.#options.streaming,
            threadId: turn.threadId,
          }),
          ui.open(turn.threadId),
        ]);
        if (started.status === 'fulfilled') reading = started.value;
        if (shown.status === 'rejected') throw shown.reason;
        if (started.status === 'rejected') throw started.reason;
        const opened = started.value;
        const assistantsBefore = await ui.prepare({
          model: turn.model,
          text: turn.text,
          systemPrompt: turn.threadId ? undefined : turn.systemPrompt,
          files,
        });
        signal.throwIfAborted();
        await opened.arm(assistantsBefore);
        await ui.clickSend();
        for await (const event of opened.events(signal)) {
          if (event.type === 'finish') clean = true;
          yield event;
        }
        return;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        // The app showed a new chat instead of the lost thread; the pipeline goes on in a new one.
        clean = error instanceof ThreadNotFoundError;
        const retry =
          error instanceof UiSessionEndedError ||
          error instanceof UiPageStaleError ||
          // A fresh page load (the failed page is discarded) tells a challenge or login apart.
          error instanceof UiTurnNotSentError ||
          isNavigationRace(error);
        sessionEnded = error instanceof UiSessionEndedError;
        // Nothing reached the site: start over, at most twice, logging in again at most once.
        if (!retry || attempt > 1 || (sessionEnded && loggedInAgain)) throw asSiteError(error);
      } finally {
        const freeing = this.#free(lease, ui, reading, clean).catch((error: unknown) =>
          this.#options.logger.warn({ site: this.id, err: error }, 'could not free the browser page'),
        );
        // A caller that gave up should not wait for the stop click; others get a clean page back first.
        if (!signal.aborted) await freeing;
      }
      // Nothing reached the site: start over on a fresh page (after logging in, if the session ended).
      if (sessionEnded) {
        loggedInAgain = true;
        this.#options.logger.info(
          { site: this.id },
          'demo site session ended under the UI; logging in again',
        );
        await this.#options.api.login(signal);
      }
    }
  }

  /**
   * Stops an unfinished reply with the UI's stop control (the site ends the generation), then hands
   * the page back; a page whose state is unsure (failed turn, stop that did not take) is closed.
   */
  async #free(
    lease: PageLease,
    ui: DemoUiPage,
    reading: ReplyReading | undefined,
    clean: boolean,
  ): Promise<void> {
    let stopped = clean || lease.dead;
    // No stop button in sight does not prove the generation ended (the app may not show it yet,
    // or lost it): with a known message, the API stop below makes sure.
    if (!stopped && (await ui.isStopVisible().catch(() => false))) {
      stopped = await ui.stop().catch(() => false);
    }
    const messageId = reading?.messageId();
    if (!stopped && messageId) {
      await ui.stopThroughApi(messageId).catch(() => undefined);
      stopped = await ui.waitForStopGone(3000);
    }
    await reading?.close().catch(() => undefined);
    if (clean && stopped && !lease.dead) lease.release();
    else await lease.discard();
  }

  #uiFile(attachment: SiteAttachment): UiFile {
    const staged = this.#staged.get(attachment.fileId);
    if (!staged)
      throw new GatewayError(
        'invalid_request',
        'The attachment expired before it was sent; upload it again.',
      );
    return { name: staged.filename, mimeType: staged.mediaType, buffer: Buffer.from(staged.data) };
  }
}

function asSiteError(error: unknown): unknown {
  if (error instanceof GatewayError) return error;
  if (error instanceof UiSessionEndedError)
    return new GatewayError('needs_login', error.message, { retryable: false });
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new GatewayError('upstream', `The site UI did not respond as expected: ${detail}`, { cause: error });
}

/**
 * The page navigated under us (the site redirected to its login or challenge page while we read
 * it): nothing was sent, so start over on a fresh load, which tells login and challenge apart.
 */
function isNavigationRace(error: unknown): boolean {
  return error instanceof Error && /Execution context was destroyed|navigat(ed|ion)/i.test(error.message);
}
