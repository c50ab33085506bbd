import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../../core/errors.ts';
import { AsyncQueue } from '../../../transports/browser/async-queue.ts';
import type { CDPSession } from '../../../transports/browser/browser-library.ts';
import { installInIsolatedWorld } from '../../../transports/browser/isolated-world.ts';
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

export class DemoDomObserver {
  /** A snapshot after every change the page makes to the reply. */
  readonly snapshots = new AsyncQueue<DomReplySnapshot>();
  readonly #session: CDPSession;
  readonly #bindingName = `b${randomBytes(8).toString('hex')}`;
  #objectId: string | undefined;
  #current: DomReplySnapshot = {
    present: false,
    text: '',
    thinking: '',
    status: '',
    hash: '',
    stopVisible: false,
  };
  readonly #stopWatching: () => void;

  private constructor(session: CDPSession, lease: PageLease) {
    this.#session = session;
    session.on('Runtime.bindingCalled', (event) => {
      if (event.name === this.#bindingName) this.#onMessage(event.payload);
    });
    this.#stopWatching = lease.onDeath((reason) =>
      this.snapshots.fail(
        new GatewayError('upstream', `The site request failed: ${reason}.`, { retryable: true }),
      ),
    );
  }

  /** Starts watching for the reply that follows the `before` assistant messages already shown. */
  static async attach(lease: PageLease, before: number): Promise<DemoDomObserver> {
    const session = await lease.page.context().newCDPSession(lease.page);
    const observer = new DemoDomObserver(session, lease);
    const send: CDPSession['send'] = (method, params) => session.send(method, params);
    const installed = await installInIsolatedWorld(send, {
      source: OBSERVER_SOURCE,
      worldName: `w${randomBytes(8).toString('hex')}`,
      bindingName: observer.#bindingName,
    });
    observer.#objectId = installed.objectId;
    await session.send('Runtime.callFunctionOn', {
      objectId: installed.objectId,
      functionDeclaration: 'function (before, selectors) { this.watch(before, selectors); }',
      arguments: [{ value: before }, { value: SELECTORS }],
    });
    return observer;
  }

  async detach(): Promise<void> {
    this.#stopWatching();
    this.snapshots.close();
    if (this.#objectId) {
      await this.#session
        .send('Runtime.callFunctionOn', {
          objectId: this.#objectId,
          functionDeclaration: 'function () { this.stop(); }',
        })
        .catch(() => undefined);
    }
    await this.#session.detach().catch(() => undefined);
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
