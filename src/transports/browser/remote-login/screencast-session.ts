import type { WebSocket } from 'ws';
import type { Logger } from '../../../core/logger.ts';
import type { BrowserAccount } from '../browser-account.ts';
import type { CDPSession } from '../browser-library.ts';
import type { PageLease } from '../page-lease.ts';
import { toCdpInput, ViewerMessage } from './viewer-input.ts';

export interface ScreencastOptions {
  format: 'jpeg' | 'png';
  quality: number;
  maxWidth: number;
  maxHeight: number;
}

interface Frame {
  data: string;
  width: number;
  height: number;
  url: string;
}

/** Closes the page this long after the last viewer left (a reload must not lose the login in progress). */
const IDLE_CLOSE_MS = 60_000;

/**
 * One account page shown live to any number of viewers: CDP screencast frames go out to every
 * viewer (the newest one re-sent to each newcomer, who would otherwise wait for the page to change),
 * and their mouse and keyboard come back as trusted input. Every frame is acknowledged at once, or
 * Chromium stops sending.
 */
export class ScreencastSession {
  readonly account: BrowserAccount;
  readonly #lease: PageLease;
  readonly #session: CDPSession;
  readonly #logger: Logger;
  readonly #viewers = new Set<WebSocket>();
  readonly #onClosed: () => void;
  #last: Frame | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #savedListener: (() => void) | undefined;
  #closed = false;

  private constructor(
    account: BrowserAccount,
    lease: PageLease,
    session: CDPSession,
    logger: Logger,
    onClosed: () => void,
  ) {
    this.account = account;
    this.#lease = lease;
    this.#session = session;
    this.#logger = logger;
    this.#onClosed = onClosed;
    session.on('Page.screencastFrame', (event) => {
      void session.send('Page.screencastFrameAck', { sessionId: event.sessionId }).catch(() => undefined);
      this.#last = {
        data: event.data,
        width: event.metadata.deviceWidth,
        height: event.metadata.deviceHeight,
        url: lease.page.url(),
      };
      this.#broadcast(JSON.stringify({ type: 'frame', ...this.#last }));
    });
    lease.onDeath((reason) => {
      this.#broadcast(JSON.stringify({ type: 'error', message: `The page is gone: ${reason}.` }));
      void this.close();
    });
  }

  static async open(
    account: BrowserAccount,
    options: ScreencastOptions,
    logger: Logger,
    onClosed: () => void,
  ): Promise<ScreencastSession> {
    const lease = await account.acquirePage();
    try {
      const session = await lease.page.context().newCDPSession(lease.page);
      const screencast = new ScreencastSession(account, lease, session, logger, onClosed);
      await session.send('Page.startScreencast', {
        format: options.format,
        quality: options.quality,
        maxWidth: options.maxWidth,
        maxHeight: options.maxHeight,
      });
      return screencast;
    } catch (error) {
      await lease.discard();
      throw error;
    }
  }

  /** The page the person drives (tests read element positions from it). */
  get page() {
    return this.#lease.page;
  }

  addViewer(socket: WebSocket): void {
    clearTimeout(this.#idleTimer);
    this.#viewers.add(socket);
    if (this.#last) socket.send(JSON.stringify({ type: 'frame', ...this.#last }));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      void this.#onViewerMessage(socket, String(data));
    });
    socket.on('close', () => {
      this.#viewers.delete(socket);
      if (this.#viewers.size === 0 && !this.#closed) {
        this.#idleTimer = setTimeout(() => void this.close(), IDLE_CLOSE_MS);
        this.#idleTimer.unref();
      }
    });
  }

  async #onViewerMessage(socket: WebSocket, raw: string): Promise<void> {
    let message: ViewerMessage;
    try {
      message = ViewerMessage.parse(JSON.parse(raw));
    } catch {
      return;
    }
    if (message.type === 'done') {
      try {
        await this.account.saveState();
        socket.send(JSON.stringify({ type: 'saved' }));
        this.#logger.info({ account: this.account.id }, 'remote login finished; session saved');
        this.#savedListener?.();
      } catch (error) {
        this.#logger.warn(
          { account: this.account.id, err: error },
          'could not save the session after remote login',
        );
        socket.send(JSON.stringify({ type: 'error', message: 'Could not save the session.' }));
      }
      return;
    }
    const viewport = this.#lease.page.viewportSize() ?? { width: 1280, height: 800 };
    const input = toCdpInput(message, viewport);
    if (!input) return;
    await this.#session
      .send(input.method, input.params as never)
      .catch((error: unknown) =>
        this.#logger.debug({ account: this.account.id, err: error }, 'viewer input was not delivered'),
      );
  }

  /** Called after the person pressed "done" and the session was saved. */
  onSaved(listener: () => void): void {
    this.#savedListener = listener;
  }

  #broadcast(text: string): void {
    for (const viewer of this.#viewers) if (viewer.readyState === viewer.OPEN) viewer.send(text);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    for (const viewer of this.#viewers) viewer.close(1001, 'remote login closed');
    this.#viewers.clear();
    await this.#session.send('Page.stopScreencast').catch(() => undefined);
    await this.#session.detach().catch(() => undefined);
    // The page may hold half-typed credentials or a challenge: never hand it to the warm pool.
    await this.#lease.discard();
    this.#onClosed();
  }
}
