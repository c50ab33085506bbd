import WebSocket from 'ws';
import { GatewayError } from '../../core/errors.ts';
import { AsyncQueue } from '../../transports/browser/async-queue.ts';
import { openWebSocket } from '../kit/open-websocket.ts';
import { type StreamRecord, toRecord } from './stream-records.ts';

export interface WebSocketRecordsOptions {
  url: string;
  /** The session's cookies for the socket's origin. */
  cookies: Record<string, string>;
  /** The account's proxy, which the socket goes through like the session's requests. */
  proxy?: string | undefined;
  signal: AbortSignal;
}

/**
 * A site WebSocket read as stream records (one per text frame). Frames that arrive before the
 * reader asks are kept; aborting closes the socket and ends the iteration with the abort reason.
 */
export class WebSocketRecords implements AsyncIterable<StreamRecord> {
  readonly #socket: WebSocket;
  readonly #queue = new AsyncQueue<StreamRecord>();
  readonly #opened: Promise<void>;
  readonly #onAbort: () => void;
  readonly #signal: AbortSignal;

  constructor(options: WebSocketRecordsOptions) {
    this.#signal = options.signal;
    const cookie = Object.entries(options.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    this.#socket = openWebSocket(options.url, {
      ...(cookie ? { headers: { cookie } } : {}),
      proxy: options.proxy,
    });
    this.#opened = new Promise((resolve, reject) => {
      this.#socket.once('open', () => resolve());
      this.#socket.once('error', (error) =>
        reject(new GatewayError('upstream', 'The site WebSocket could not connect.', { cause: error })),
      );
      this.#socket.once('unexpected-response', (_request, response) =>
        reject(
          new GatewayError('upstream', `The site refused the WebSocket (${response.statusCode}).`, {
            status: response.statusCode === 401 ? 503 : 502,
          }),
        ),
      );
    });
    this.#opened.catch((error: unknown) => this.#queue.fail(error));
    this.#socket.on('message', (data, isBinary) => {
      if (!isBinary) this.#queue.push(toRecord(String(data)));
    });
    this.#socket.on('error', (error) =>
      this.#queue.fail(new GatewayError('upstream', 'The site WebSocket failed.', { cause: error })),
    );
    this.#socket.on('close', () => this.#queue.close());
    this.#onAbort = () => {
      this.#queue.fail(options.signal.reason);
      this.close();
    };
    options.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Sends JSON frames once the socket is open. */
  async send(frames: unknown[]): Promise<void> {
    await this.#opened;
    for (const frame of frames) this.#socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    if (this.#socket.readyState === WebSocket.CONNECTING) {
      // Closing before the handshake ends throws in ws; terminate instead.
      this.#socket.terminate();
    } else this.#socket.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamRecord> {
    try {
      yield* this.#queue;
    } finally {
      this.close();
    }
  }
}

/** `ws(s)://` for an http(s) URL. */
export function toWebSocketUrl(url: string): string {
  return url.replace(/^http(s?):/i, 'ws$1:');
}
