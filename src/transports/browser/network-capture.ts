import { GatewayError } from '../../core/errors.ts';
import { AsyncQueue } from './async-queue.ts';
import type { CDPSession } from './browser-library.ts';
import type { PageLease } from './page-lease.ts';

export interface CapturedRequest {
  url: string;
  method: string;
}

/** A response the page received, with its body as the page reads it. */
export interface CapturedResponse {
  requestId: string;
  url: string;
  method: string;
  status: number;
  headers: Headers;
  /** Streamed while the response is still arriving; a short response comes whole at its end. */
  body: AsyncIterable<Uint8Array>;
}

export type WebSocketEvent =
  | { kind: 'frame'; requestId: string; payload: string }
  | { kind: 'closed'; requestId: string };

interface ResponseWaiter {
  match: (request: CapturedRequest) => boolean;
  resolve: (response: CapturedResponse) => void;
  reject: (error: unknown) => void;
  onRequest?: () => void;
}

interface BodyStream {
  queue: AsyncQueue<Uint8Array>;
  /** Events for one response are applied strictly in order, after streaming was switched on. */
  chain: Promise<void>;
  streamed: boolean;
}

/**
 * Reads what the page's own scripts exchange with the site, over CDP: HTTP response bodies as they
 * stream (`Network.streamResourceContent`, which hands over the bytes buffered so far and then every
 * new chunk in `Network.dataReceived`), and WebSocket frames. Nothing runs in the page.
 */
export class NetworkCapture {
  readonly #session: CDPSession;
  readonly #requests = new Map<string, CapturedRequest>();
  readonly #waiters = new Set<ResponseWaiter>();
  /** Requests matched by a waiter, whose response head has not arrived yet. */
  readonly #claimed = new Map<string, ResponseWaiter>();
  readonly #streams = new Map<string, BodyStream>();
  readonly #socketQueues = new Set<AsyncQueue<WebSocketEvent>>();
  #closedReason: unknown;
  readonly #stopWatching: () => void;

  private constructor(session: CDPSession, lease: PageLease) {
    this.#session = session;
    session.on('Network.requestWillBeSent', (event) => {
      this.#onRequest(event.requestId, { url: event.request.url, method: event.request.method });
    });
    session.on('Network.responseReceived', (event) => this.#onResponse(event));
    session.on('Network.dataReceived', (event) => {
      const stream = this.#streams.get(event.requestId);
      const data = event.data;
      if (!stream || !data) return;
      stream.chain = stream.chain.then(() => stream.queue.push(decode(data)));
    });
    session.on('Network.loadingFinished', (event) => this.#onFinished(event.requestId));
    session.on('Network.loadingFailed', (event) => {
      const stream = this.#streams.get(event.requestId);
      if (!stream) return;
      this.#streams.delete(event.requestId);
      stream.chain = stream.chain.then(() =>
        stream.queue.fail(new GatewayError('upstream', `The site stream broke: ${event.errorText}`)),
      );
    });
    session.on('Network.webSocketFrameReceived', (event) => {
      if (event.response.opcode !== 1) return;
      for (const queue of this.#socketQueues)
        queue.push({ kind: 'frame', requestId: event.requestId, payload: event.response.payloadData });
    });
    session.on('Network.webSocketClosed', (event) => {
      for (const queue of this.#socketQueues) queue.push({ kind: 'closed', requestId: event.requestId });
    });
    this.#stopWatching = lease.onDeath((reason) =>
      this.#fail(new GatewayError('upstream', `The site request failed: ${reason}.`, { retryable: true })),
    );
  }

  static async attach(lease: PageLease): Promise<NetworkCapture> {
    const session = await lease.page.context().newCDPSession(lease.page);
    await session.send('Network.enable');
    return new NetworkCapture(session, lease);
  }

  /**
   * The first response (after this call) whose request matches; its body streams from then on.
   * `onRequest` is told as soon as the page sends that request, before any response.
   */
  waitForResponse(
    match: (request: CapturedRequest) => boolean,
    onRequest?: () => void,
  ): Promise<CapturedResponse> {
    if (this.#closedReason) return Promise.reject(this.#closedReason);
    return new Promise((resolve, reject) => {
      this.#waiters.add({ match, resolve, reject, onRequest });
    });
  }

  /** Every WebSocket frame (text) the page receives from now on, on any of its sockets. */
  webSocketEvents(): AsyncQueue<WebSocketEvent> {
    const queue = new AsyncQueue<WebSocketEvent>();
    if (this.#closedReason) queue.fail(this.#closedReason);
    else this.#socketQueues.add(queue);
    return queue;
  }

  async detach(): Promise<void> {
    this.#fail(new GatewayError('upstream', 'The network capture ended.'));
    this.#stopWatching();
    await this.#session.detach().catch(() => undefined);
  }

  /**
   * A request a waiter wants: its body is switched to streaming at once, before the response head
   * arrives, so the first bytes are not held back by a round trip after it.
   */
  #onRequest(requestId: string, request: CapturedRequest): void {
    this.#requests.set(requestId, request);
    if (this.#claimed.has(requestId)) return;
    const waiter = [...this.#waiters].find((candidate) => candidate.match(request));
    if (!waiter) return;
    this.#waiters.delete(waiter);
    this.#claimed.set(requestId, waiter);
    this.#streams.set(requestId, this.#startStreaming(requestId));
    waiter.onRequest?.();
  }

  #startStreaming(requestId: string): BodyStream {
    const stream: BodyStream = { queue: new AsyncQueue(), chain: Promise.resolve(), streamed: false };
    stream.chain = this.#session.send('Network.streamResourceContent', { requestId }).then(
      (result) => {
        stream.streamed = true;
        if (result.bufferedData) stream.queue.push(decode(result.bufferedData));
      },
      // Already complete (a short response): its body is fetched whole when loading finishes.
      () => undefined,
    );
    return stream;
  }

  #onResponse(event: {
    requestId: string;
    response: { url: string; status: number; headers: Record<string, string> };
  }): void {
    const request = this.#requests.get(event.requestId) ?? { url: event.response.url, method: 'GET' };
    let waiter = this.#claimed.get(event.requestId);
    this.#claimed.delete(event.requestId);
    if (!waiter) {
      waiter = [...this.#waiters].find((candidate) => candidate.match(request));
      if (!waiter) return;
      this.#waiters.delete(waiter);
    }
    let stream = this.#streams.get(event.requestId);
    if (!stream) {
      stream = this.#startStreaming(event.requestId);
      this.#streams.set(event.requestId, stream);
    }
    waiter.resolve({
      requestId: event.requestId,
      url: request.url,
      method: request.method,
      status: event.response.status,
      headers: new Headers(event.response.headers),
      body: stream.queue,
    });
  }

  #onFinished(requestId: string): void {
    const stream = this.#streams.get(requestId);
    if (!stream) return;
    this.#streams.delete(requestId);
    stream.chain = stream.chain.then(async () => {
      if (!stream.streamed) {
        const body = await this.#session
          .send('Network.getResponseBody', { requestId })
          .catch(() => undefined);
        if (body?.body)
          stream.queue.push(body.base64Encoded ? decode(body.body) : new TextEncoder().encode(body.body));
      }
      stream.queue.close();
    });
  }

  #fail(error: unknown): void {
    if (this.#closedReason) return;
    this.#closedReason = error;
    for (const waiter of [...this.#waiters, ...this.#claimed.values()]) waiter.reject(error);
    this.#waiters.clear();
    this.#claimed.clear();
    for (const stream of this.#streams.values())
      stream.chain = stream.chain.then(() => stream.queue.fail(error));
    this.#streams.clear();
    for (const queue of this.#socketQueues) queue.fail(error);
    this.#socketQueues.clear();
  }
}

function decode(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
