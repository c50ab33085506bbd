import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../../core/errors.ts';
import { AsyncQueue } from '../../../transports/browser/async-queue.ts';
import type { CDPSession, Page } from '../../../transports/browser/browser-library.ts';
import { installInIsolatedWorld, isStaleContextError } from '../../../transports/browser/isolated-world.ts';
import type { PageLease } from '../../../transports/browser/page-lease.ts';

/** What the page shows of the reply being written. */
export interface DomReplySnapshot {
  /** The reply's message element exists yet. */
  present: boolean;
  text: string;
  thinking: string;
  /** The demo UI's `data-status`: streaming, complete, stopped, error. */
  status: string;
  /** The page address's hash: the thread id once the site assigned one. */
  hash: string;
  stopVisible: boolean;
}

/**
 * Watches the reply in the page with a MutationObserver. It lives in an isolated world (the page's
 * scripts cannot see or disturb it) and reports through a binding scoped to that world; a text that
 * only grew is sent as its new part, so long replies do not resend everything on each change.
 */
const OBSERVER_SOURCE = `(function (send) {
  let observer = null;
  return {
    watch(before, selectors) {
      if (observer) observer.disconnect();
      let last = { present: false, text: '', thinking: '', status: '', hash: '', stopVisible: false };
      const report = () => {
        const stop = document.querySelector(selectors.stop);
        const messages = document.querySelectorAll(selectors.assistant);
        const target = messages.length > before ? messages[messages.length - 1] : null;
        const textElement = target && target.querySelector(selectors.text);
        const thinkingElement = target && target.querySelector(selectors.thinking);
        const now = {
          present: Boolean(target),
          text: textElement ? textElement.innerText : '',
          thinking: thinkingElement ? thinkingElement.textContent : '',
          status: target ? target.getAttribute('data-status') || '' : '',
          hash: location.hash,
          stopVisible: Boolean(stop) && !stop.hidden,
        };
        const message = {};
        let changed = false;
        for (const key of Object.keys(now)) {
          if (now[key] === last[key]) continue;
          changed = true;
          if ((key === 'text' || key === 'thinking') && now[key].startsWith(last[key])) {
            message[key + 'Append'] = now[key].slice(last[key].length);
          } else {
            message[key] = now[key];
          }
        }
        last = now;
        if (changed) send(JSON.stringify(message));
      };
      observer = new MutationObserver(report);
      observer.observe(document.documentElement, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['data-status', 'hidden'],
      });
      report();
    },
    stop() {
      if (observer) observer.disconnect();
      observer = null;
    },
  };
})`;

const SELECTORS = {
  stop: '[data-testid="stop-button"]',
  assistant: '[data-testid="message"][data-role="assistant"]',
  text: '[data-testid="message-text"]',
  thinking: '[data-testid="thinking-text"]',
};

type ObserverMessage = Partial<DomReplySnapshot> & { textAppend?: string; thinkingAppend?: string };

/**
 * The page's side of observing: one CDP session and one isolated world per page, kept for the
 * page's life and re-created after a navigation, so sends on a warm page do not pile up worlds.
 */
class ObserverHost {
  readonly session: CDPSession;
  readonly bindingName = `b${randomBytes(8).toString('hex')}`;
  #objectId: Promise<string> | undefined;
  listener: ((payload: string) => void) | undefined;

  constructor(session: CDPSession) {
    this.session = session;
    session.on('Runtime.bindingCalled', (event) => {
      if (event.name === this.bindingName) this.listener?.(event.payload);
    });
  }

  async call(functionDeclaration: string, args: unknown[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const objectId = await this.#installed();
      try {
        await this.session.send('Runtime.callFunctionOn', {
          objectId,
          functionDeclaration,
          arguments: args.map((value) => ({ value })),
        });
        return;
      } catch (error) {
        if (attempt > 0 || !isStaleContextError(error)) throw error;
        this.#objectId = undefined;
      }
    }
  }

  #installed(): Promise<string> {
    this.#objectId ??= installInIsolatedWorld((method, params) => this.session.send(method, params), {
      source: OBSERVER_SOURCE,
      worldName: `w${randomBytes(8).toString('hex')}`,
      bindingName: this.bindingName,
    }).then(
      (installed) => installed.objectId,
      (error: unknown) => {
        this.#objectId = undefined;
        throw error;
      },
    );
    return this.#objectId;
  }
}

const hosts = new WeakMap<Page, Promise<ObserverHost>>();

function hostFor(page: Page): Promise<ObserverHost> {
  let host = hosts.get(page);
  if (!host) {
    host = page
      .context()
      .newCDPSession(page)
      .then((session) => new ObserverHost(session));
    host.catch(() => hosts.delete(page));
    hosts.set(page, host);
  }
  return host;
}

/** One reply being watched; the page's observer reports to the newest of these only. */
export class DemoDomObserver {
  /** A snapshot after every change the page makes to the reply. */
  readonly snapshots = new AsyncQueue<DomReplySnapshot>();
  readonly #host: ObserverHost;
  #current: DomReplySnapshot = {
    present: false,
    text: '',
    thinking: '',
    status: '',
    hash: '',
    stopVisible: false,
  };
  readonly #stopWatching: () => void;
  readonly #listener = (payload: string) => this.#onMessage(payload);

  private constructor(host: ObserverHost, lease: PageLease) {
    this.#host = host;
    host.listener = this.#listener;
    this.#stopWatching = lease.onDeath((reason) =>
      this.snapshots.fail(
        new GatewayError('upstream', `The site request failed: ${reason}.`, { retryable: true }),
      ),
    );
  }

  /** Starts watching for the reply that follows the `before` assistant messages already shown. */
  static async attach(lease: PageLease, before: number): Promise<DemoDomObserver> {
    const host = await hostFor(lease.page);
    const observer = new DemoDomObserver(host, lease);
    await host.call('function (before, selectors) { this.watch(before, selectors); }', [before, SELECTORS]);
    return observer;
  }

  async detach(): Promise<void> {
    this.#stopWatching();
    this.snapshots.close();
    if (this.#host.listener === this.#listener) this.#host.listener = undefined;
    await this.#host.call('function () { this.stop(); }', []).catch(() => undefined);
  }

  #onMessage(payload: string): void {
    const message = JSON.parse(payload) as ObserverMessage;
    const { textAppend, thinkingAppend, ...replaced } = message;
    const next: DomReplySnapshot = { ...this.#current, ...replaced };
    if (textAppend !== undefined) next.text = this.#current.text + textAppend;
    if (thinkingAppend !== undefined) next.thinking = this.#current.thinking + thinkingAppend;
    this.#current = next;
    this.snapshots.push(next);
  }
}
