import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError } from '../../../core/errors.ts';
import { abortable, untilAborted, withTimeout } from '../../../transports/browser/abortable.ts';
import { AsyncQueue } from '../../../transports/browser/async-queue.ts';
import { type CapturedResponse, NetworkCapture } from '../../../transports/browser/network-capture.ts';
import type { PageLease } from '../../../transports/browser/page-lease.ts';
import { textDelta } from '../../../transports/browser/text-delta.ts';
import { readServerSentEvents } from '../../../transports/http/read-server-sent-events.ts';
import { NeedsLoginError } from '../../../site-contract/site-errors.ts';
import type { SiteEvent } from '../../../site-contract/site.ts';
import { translateDemoFrame } from '../translate-demo-frame.ts';
import { DemoDomObserver, type DomReplySnapshot } from './demo-dom-observer.ts';
import { DEMO_UI } from './demo-ui-page.ts';
import { UiPageStaleError, UiSessionEndedError, UiTurnNotSentError } from './ui-turn-errors.ts';
import { mapDemoError } from '../map-demo-error.ts';

/** How a UI-driven send reads the reply; attached before the send button is clicked. */
export interface ReplyReading {
  events(signal: AbortSignal): AsyncIterable<SiteEvent>;
  /** The site's id for the reply once seen (to stop it when the UI cannot). */
  messageId(): string | undefined;
  /** Called once the page is ready and just before the click: the reply follows `assistantsBefore` replies. */
  arm(assistantsBefore: number): Promise<void>;
  close(): Promise<void>;
}

export interface ReplyReaderInput {
  lease: PageLease;
  streaming: 'sse' | 'ws';
  threadId: string | undefined;
}

export type ReplyReaderMode = 'network' | 'dom';

/** The site must start answering within this time after the click, or the UI did not send. */
const REQUEST_START_TIMEOUT_MS = 30_000;
/** How long a refusal's (short) body is waited for before it is treated as empty. */
const REFUSAL_BODY_TIMEOUT_MS = 3000;
const UI_FAILURE_POLL_MS = 200;

const isSend = (streaming: 'sse' | 'ws') => (request: { url: string; method: string }) =>
  request.method === 'POST' &&
  new URL(request.url).pathname === (streaming === 'sse' ? '/api/chat' : '/api/messages');

export async function startReplyReader(
  mode: ReplyReaderMode,
  input: ReplyReaderInput,
): Promise<ReplyReading> {
  const capture = await NetworkCapture.attach(input.lease);
  try {
    if (mode === 'dom') return await readFromDom(capture, input);
    return input.streaming === 'sse'
      ? readSseFromNetwork(capture, input)
      : readWebSocketFromNetwork(capture, input);
  } catch (error) {
    await capture.detach();
    throw error;
  }
}

/**
 * The send request's response, or a UiTurnNotSentError as soon as the page shows the new reply
 * failed without one (the UI could not reach the site: nothing was sent, so the turn may start over).
 */
async function awaitSendResponse(
  response: Promise<CapturedResponse>,
  uiFailure: UiFailureWatch,
  signal: AbortSignal,
): Promise<CapturedResponse> {
  try {
    return await untilAborted(
      withTimeout(
        Promise.race([response, uiFailure.failure()]),
        REQUEST_START_TIMEOUT_MS,
        () => new GatewayError('upstream', 'The site UI did not send the message.'),
      ),
      signal,
    );
  } finally {
    uiFailure.stop();
  }
}

/**
 * Watches from `arm` (just before the click) until the page sends the turn's request: after that the
 * site has the turn, and whatever the page does is read from the response, never started over.
 */
class UiFailureWatch {
  readonly #stop = new AbortController();
  #watch: Promise<string> | undefined;

  arm(lease: PageLease, assistantsBefore: number): void {
    if (this.#stop.signal.aborted) return;
    this.#watch = watchUiFailure(lease, assistantsBefore, this.#stop.signal);
  }

  /** Rejects with UiTurnNotSentError once the UI gave up before sending; else never settles. */
  failure(): Promise<never> {
    return (this.#watch ?? new Promise<string>(() => undefined)).then((message) => {
      throw new UiTurnNotSentError(message);
    });
  }

  stop(): void {
    this.#stop.abort();
  }
}

/** The UI's error text on the reply after `assistantsBefore` once it shows as failed; else null. */
const FAILED_REPLY_SOURCE = `function (selector, index) {
  const reply = document.querySelectorAll(selector)[index];
  if (!reply || reply.getAttribute('data-status') !== 'error') return null;
  return reply.textContent.trim() || 'the reply failed';
}`;

/**
 * Resolves with what went wrong once the page gives up on the turn without sending it: the reply
 * after `assistantsBefore` shows as failed (looked at every 200 ms), or the page loads another
 * document (the UI reloaded onto a login or challenge page). Never settles once `stop` aborts.
 */
function watchUiFailure(lease: PageLease, assistantsBefore: number, stop: AbortSignal): Promise<string> {
  const args = JSON.stringify([DEMO_UI.assistantMessage, assistantsBefore]);
  return new Promise((resolve) => {
    const onLoad = () => {
      if (!stop.aborted) resolve('the page left the chat for another page');
    };
    lease.page.on('domcontentloaded', onLoad);
    stop.addEventListener('abort', () => lease.page.off('domcontentloaded', onLoad), { once: true });
    void (async () => {
      while (!stop.aborted && !lease.dead) {
        await delay(UI_FAILURE_POLL_MS, undefined, { signal: stop });
        const message = (await lease.page
          .evaluate(`(${FAILED_REPLY_SOURCE})(...${args})`)
          .catch(() => null)) as string | null;
        if (message && !stop.aborted) return resolve(message);
      }
    })().catch(() => undefined);
  });
}

/** Refusals (429, 409, 413…) mapped as the HTTP adapter maps them; a 401 means log in and retry. */
async function throwIfRefused(
  response: CapturedResponse,
  ok: number[],
  threadId: string | undefined,
): Promise<void> {
  if (ok.includes(response.status)) return;
  if (response.status === 401) throw new UiSessionEndedError();
  // The UI may leave the page on a refusal (a reload onto the interstitial): a body that does not
  // arrive soon is taken as none rather than waited for.
  const text = await withTimeout(readAll(response.body), REFUSAL_BODY_TIMEOUT_MS, () => new Error()).catch(
    () => '',
  );
  if (response.status === 403) {
    // The page's CSRF token belongs to an older session (the API side logged in again): reload.
    if (/"code"\s*:\s*"csrf"/.test(text)) throw new UiPageStaleError();
    // The UI reloads itself onto the interstitial at once, often before the body can be read.
    if (!text || /"code"\s*:\s*"challenge"/.test(text))
      throw new NeedsLoginError('the site shows a challenge page');
  }
  throw mapDemoError(response.status, text, response.headers.get('retry-after'), 'send', threadId);
}

/** SSE: the page's own `/api/chat` fetch, read over CDP as it streams. */
function readSseFromNetwork(capture: NetworkCapture, input: ReplyReaderInput): ReplyReading {
  const uiFailure = new UiFailureWatch();
  const response = capture.waitForResponse(isSend('sse'), () => uiFailure.stop());
  response.catch(() => undefined);
  let messageId: string | undefined;
  return {
    messageId: () => messageId,
    arm: async (assistantsBefore) => {
      uiFailure.arm(input.lease, assistantsBefore);
    },
    async *events(signal) {
      const head = await awaitSendResponse(response, uiFailure, signal);
      await throwIfRefused(head, [200], input.threadId);
      for await (const message of readServerSentEvents(abortable(head.body, signal))) {
        const result = translateDemoFrame(message.event ?? 'message', JSON.parse(message.data));
        if (result.event?.type === 'thread') messageId = result.event.messageId;
        if (result.event) yield result.event;
        if (result.done) return;
      }
      throw new GatewayError('upstream', 'The site closed the stream before the reply finished.');
    },
    close: () => {
      uiFailure.stop();
      return capture.detach();
    },
  };
}

/** WebSocket: `/api/messages` names the message; its frames are read off the page's socket. */
function readWebSocketFromNetwork(capture: NetworkCapture, input: ReplyReaderInput): ReplyReading {
  const frames = capture.webSocketEvents();
  const uiFailure = new UiFailureWatch();
  const response = capture.waitForResponse(isSend('ws'), () => uiFailure.stop());
  response.catch(() => undefined);
  let messageId: string | undefined;
  return {
    messageId: () => messageId,
    arm: async (assistantsBefore) => {
      uiFailure.arm(input.lease, assistantsBefore);
    },
    async *events(signal) {
      const head = await awaitSendResponse(response, uiFailure, signal);
      await throwIfRefused(head, [200, 202], input.threadId);
      ({ messageId } = JSON.parse(await readAll(head.body)) as { messageId: string });
      for await (const event of abortable(frames, signal)) {
        if (event.kind === 'closed')
          throw new GatewayError('upstream', 'The site WebSocket closed mid-reply.');
        const frame = JSON.parse(event.payload) as { type: string; messageId?: string };
        if (frame.messageId !== messageId) continue;
        const result = translateDemoFrame(frame.type, frame);
        if (result.event) yield result.event;
        if (result.done) return;
      }
      throw new GatewayError('upstream', 'The site closed the stream before the reply finished.');
    },
    close: () => {
      uiFailure.stop();
      return capture.detach();
    },
  };
}

type DomSignal =
  | { kind: 'dom'; snapshot: DomReplySnapshot }
  | { kind: 'request-done' }
  | { kind: 'request-failed'; error: unknown };

/**
 * DOM: the text as the page renders it. The reply is over when the site's streaming request has
 * finished *and* the page shows it is done (status settled, stop control gone); either alone can
 * mislead (a page may still render after the request ends, or hide the stop control early).
 */
function readFromDom(capture: NetworkCapture, input: ReplyReaderInput): ReplyReading {
  let observer: DemoDomObserver | undefined;
  const signals = new AsyncQueue<DomSignal>();
  const uiFailure = new UiFailureWatch();
  const response = capture.waitForResponse(isSend(input.streaming), () => uiFailure.stop());
  response.catch(() => undefined);
  let messageId: string | undefined;
  return {
    messageId: () => messageId,
    // Installed after the page settled: a navigation would take the observer's world with it.
    async arm(assistantsBefore) {
      uiFailure.arm(input.lease, assistantsBefore);
      const attached = await DemoDomObserver.attach(input.lease, assistantsBefore);
      observer = attached;
      void (async () => {
        for await (const snapshot of attached.snapshots) signals.push({ kind: 'dom', snapshot });
      })().catch((error: unknown) => signals.push({ kind: 'request-failed', error }));
    },
    async *events(signal) {
      const head = await awaitSendResponse(response, uiFailure, signal);
      await throwIfRefused(head, [200, 202], input.threadId);
      // Read only to learn when the request ends (and the message id); the text comes from the DOM.
      void (async () => {
        let seen = '';
        for await (const chunk of head.body) {
          if (messageId) continue;
          seen += Buffer.from(chunk).toString('utf8');
          messageId = /"messageId"\s*:\s*"([^"]+)"/.exec(seen)?.[1];
        }
      })().then(
        () => signals.push({ kind: 'request-done' }),
        (error: unknown) => signals.push({ kind: 'request-failed', error }),
      );
      let requestDone = false;
      let latest: DomReplySnapshot | undefined;
      let shown = { text: '', thinking: '' };
      let threadSent = Boolean(input.threadId);
      if (input.threadId) yield { type: 'thread', threadId: input.threadId };
      for await (const item of abortable(signals, signal)) {
        if (item.kind === 'request-failed') throw item.error;
        if (item.kind === 'request-done') requestDone = true;
        const snapshot = item.kind === 'dom' ? item.snapshot : undefined;
        if (snapshot) {
          latest = snapshot;
          if (!threadSent && snapshot.hash.length > 1) {
            threadSent = true;
            yield { type: 'thread', threadId: decodeURIComponent(snapshot.hash.slice(1)) };
          }
          const thinking = textDelta(shown.thinking, snapshot.thinking).delta;
          if (thinking) yield { type: 'reasoning', delta: thinking };
          if (snapshot.status === 'error')
            throw new GatewayError('upstream', `The site failed: ${snapshot.text}`);
          const text = textDelta(shown.text, snapshot.text).delta;
          if (text) yield { type: 'text', delta: text };
          shown = { text: snapshot.text, thinking: snapshot.thinking };
        }
        if (requestDone && latest && isSettled(latest)) {
          yield { type: 'finish', reason: 'stop' };
          return;
        }
      }
      throw new GatewayError('upstream', 'The page stopped reporting before the reply finished.');
    },
    close: async () => {
      uiFailure.stop();
      await observer?.detach();
      await capture.detach();
    },
  };
}

function isSettled(snapshot: DomReplySnapshot): boolean {
  return (
    snapshot.present && snapshot.status !== 'streaming' && snapshot.status !== '' && !snapshot.stopVisible
  );
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}
