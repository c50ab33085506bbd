import type { Logger } from '../../core/logger.ts';
import type { Transport, TransportRequest, TransportResponse } from '../transport.ts';
import { AsyncQueue } from './async-queue.ts';
import type { BrowserAccount } from './browser-account.ts';
import { InPageFetcher } from './in-page-fetcher.ts';
import { headersForPage, serializeRequestBody } from './serialize-request-body.ts';

export interface InPageFetchTransportOptions {
  account: BrowserAccount;
  logger: Logger;
}

/**
 * A Transport whose requests are made by the logged-in page itself: the browser adds its cookies,
 * TLS fingerprint and headers, exactly as when the site's own scripts call its API. The body streams
 * back chunk by chunk as the page reads it. One page of the account serves every request (fetches run
 * concurrently in it); if it dies it is replaced on the next request.
 */
export class InPageFetchTransport implements Transport {
  readonly kind = 'browser' as const;
  readonly account: BrowserAccount;
  readonly #logger: Logger;
  #fetcher: Promise<InPageFetcher> | undefined;
  #closed = false;

  constructor(options: InPageFetchTransportOptions) {
    this.account = options.account;
    this.#logger = options.logger;
  }

  async fetch(url: string, request: TransportRequest = {}): Promise<TransportResponse> {
    const signal = request.signal;
    signal?.throwIfAborted();
    const fetcher = await this.#currentFetcher();
    const body = await serializeRequestBody(request.body);
    const queue = new AsyncQueue<Uint8Array>();
    const sink = {
      chunk: (bytes: Uint8Array) => queue.push(bytes),
      end: () => queue.close(),
      fail: (error: unknown) => queue.fail(error),
    };
    const { id, head: headPromise } = fetcher.start(
      { url, method: request.method ?? 'GET', headers: headersForPage(request.headers, body), body },
      sink,
    );
    const onAbort = () => {
      queue.fail(abortReason(signal));
      fetcher.abort(id);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let head: Awaited<typeof headPromise>;
    try {
      head = await headPromise;
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      throw signal?.aborted ? abortReason(signal) : error;
    }
    if (signal?.aborted) throw abortReason(signal);
    if (!head.ok) {
      signal?.removeEventListener('abort', onAbort);
      if (head.aborted) throw abortReason(signal);
      throw new TypeError(`fetch failed: ${head.message}`);
    }
    // A response may have set or refreshed the session cookie (a login); snapshot it soon.
    this.account.scheduleSave();
    const stream = readOnce(queue, () => {
      signal?.removeEventListener('abort', onAbort);
      if (!queue.ended) {
        queue.close();
        fetcher.abort(id);
      }
    });
    const text = async () => {
      const parts: Uint8Array[] = [];
      for await (const chunk of stream) parts.push(chunk);
      return Buffer.concat(parts).toString('utf8');
    };
    return {
      status: head.status,
      headers: new Headers(head.headers),
      body: stream,
      text,
      json: async () => JSON.parse(await text()) as unknown,
    };
  }

  /** The page fetches run in, opened on the site on first use and replaced when it died. */
  async #currentFetcher(): Promise<InPageFetcher> {
    if (this.#closed) throw new Error('The browser transport is closed.');
    const existing = this.#fetcher ? await this.#fetcher.catch(() => undefined) : undefined;
    if (existing && !existing.dead) return existing;
    if (existing) {
      this.#logger.warn(
        { account: this.account.id },
        'browser page for in-page fetch died; opening a new one',
      );
      this.#fetcher = undefined;
      void existing.close();
      existing.lease.release();
    }
    this.#fetcher ??= this.account
      .acquirePage()
      .then((lease) => InPageFetcher.open(lease))
      .catch((error: unknown) => {
        this.#fetcher = undefined;
        throw error;
      });
    return this.#fetcher;
  }

  async cookies(url: string): Promise<Record<string, string>> {
    return this.account.cookies(url);
  }

  async clearSession(): Promise<void> {
    await this.account.clearCookies();
  }

  /** Hands the page back to the account; the browser itself belongs to the manager. */
  async close(): Promise<void> {
    this.#closed = true;
    const fetcher = this.#fetcher ? await this.#fetcher.catch(() => undefined) : undefined;
    this.#fetcher = undefined;
    if (!fetcher) return;
    await fetcher.close();
    fetcher.lease.release();
  }
}

/** The body iterable: iterable once; leaving it early (break, error) runs `onDone` to stop the fetch. */
function readOnce(queue: AsyncQueue<Uint8Array>, onDone: () => void): AsyncIterable<Uint8Array> {
  let used = false;
  return {
    async *[Symbol.asyncIterator]() {
      if (used) throw new TypeError('The response body was already read.');
      used = true;
      try {
        yield* queue;
      } finally {
        onDone();
      }
    },
  };
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
