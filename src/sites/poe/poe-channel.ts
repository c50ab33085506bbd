import WebSocket from 'ws';
import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { AsyncQueue } from '../../transports/browser/async-queue.ts';
import { openWebSocket } from '../kit/open-websocket.ts';
import { type ChannelEvent, parseChannelFrame } from './translate-poe-frame.ts';

type Update = Extract<ChannelEvent, { kind: 'update' }>;

export interface ChannelEndpoint {
  url: string;
  headers: Record<string, string>;
}

export interface PoeChannelOptions {
  /** Where to connect; `fresh` asks for new page secrets (the server asked for a new channel). */
  endpoint(fresh: boolean, signal: AbortSignal): Promise<ChannelEndpoint>;
  /** Runs once the socket is open (the subscriptions mutation that tells the server what to send). */
  afterOpen(signal: AbortSignal): Promise<void>;
  /** The account's proxy, which the socket goes through like the account's HTTP requests. */
  proxy?: string | undefined;
  logger: Logger;
  /** The client pings every 25 s (liuyingduo/poe-api-wrapper, 2026). */
  pingIntervalMs?: number;
  /** Updates for a chat nobody listens to yet are kept this long (the reply can outrun the send's answer). */
  bufferMs?: number;
}

/**
 * The account's one update socket. Every reply arrives here, keyed by chat id; a turn listens to
 * its chat. Updates for a chat that is not listened to yet are buffered briefly, because Poe may
 * push the first frames of a new chat before the send mutation has even said which chat it is.
 * On `refetchChannel` / `missed_messages` / an unexpected close it reconnects with fresh secrets;
 * Poe resends whole messages, so a listener simply continues with the next frame.
 */
export class PoeChannel {
  readonly #options: PoeChannelOptions;
  #socket: WebSocket | undefined;
  #connecting: Promise<void> | undefined;
  #ping: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #listeners = new Map<string, Set<AsyncQueue<Update>>>();
  #buffer: Array<{ at: number; update: Update }> = [];

  constructor(options: PoeChannelOptions) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket if it is not open; concurrent callers share one attempt. */
  async connect(signal: AbortSignal, fresh = false): Promise<void> {
    if (this.#closed) throw new GatewayError('internal', 'The Poe channel is closed.');
    if (this.connected && !fresh) return;
    this.#connecting ??= this.#open(fresh, signal).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(fresh: boolean, signal: AbortSignal): Promise<void> {
    this.#dropSocket();
    const endpoint = await this.#options.endpoint(fresh, signal);
    const socket = openWebSocket(endpoint.url, { headers: endpoint.headers, proxy: this.#options.proxy });
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        socket.terminate();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('open', () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      socket.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(new GatewayError('upstream', 'Could not open the Poe update channel.', { cause: error }));
      });
    });
    this.#socket = socket;
    socket.on('message', (data) => this.#onFrame(socket, String(data)));
    socket.on('close', () => this.#onClose(socket));
    socket.on('error', (error) => this.#options.logger.warn({ err: error }, 'Poe channel error'));
    this.#ping = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
    }, this.#options.pingIntervalMs ?? 25_000);
    this.#ping.unref();
    await this.#options.afterOpen(signal);
  }

  /** Updates for one chat until `stop` is called; buffered ones for it come first. */
  listen(chatId: string): { updates: AsyncQueue<Update>; stop(): void } {
    const queue = new AsyncQueue<Update>();
    const set = this.#listeners.get(chatId) ?? new Set();
    set.add(queue);
    this.#listeners.set(chatId, set);
    this.#prune();
    for (const entry of this.#buffer) if (entry.update.chatId === chatId) queue.push(entry.update);
    this.#buffer = this.#buffer.filter((entry) => entry.update.chatId !== chatId);
    return {
      updates: queue,
      stop: () => {
        queue.close();
        set.delete(queue);
        if (set.size === 0) this.#listeners.delete(chatId);
      },
    };
  }

  #onFrame(socket: WebSocket, raw: string): void {
    for (const event of parseChannelFrame(raw)) {
      if (event.kind === 'ping') {
        socket.send('{"type":"pong"}');
      } else if (event.kind === 'reconnect') {
        this.#options.logger.info({ reason: event.reason }, 'Poe asks for a new update channel');
        void this.connect(AbortSignal.timeout(30_000), true).catch((error) => this.#failAll(error));
      } else {
        const listeners = this.#listeners.get(event.chatId);
        if (listeners && listeners.size > 0) for (const queue of listeners) queue.push(event);
        else this.#buffer.push({ at: Date.now(), update: event });
      }
    }
    this.#prune();
  }

  #onClose(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    if (this.#ping) clearInterval(this.#ping);
    if (this.#closed || this.#listeners.size === 0) return;
    // Someone is waiting for a reply: reconnect once with fresh secrets; give up loudly otherwise.
    void this.connect(AbortSignal.timeout(30_000), true).catch((error) => this.#failAll(error));
  }

  #failAll(error: unknown): void {
    const failure =
      error instanceof GatewayError
        ? error
        : new GatewayError('upstream', 'The Poe update channel was lost.', { cause: error });
    for (const set of this.#listeners.values()) for (const queue of set) queue.fail(failure);
  }

  #prune(): void {
    const oldest = Date.now() - (this.#options.bufferMs ?? 30_000);
    if (this.#buffer.length > 0 && (this.#buffer[0]?.at ?? 0) < oldest) {
      this.#buffer = this.#buffer.filter((entry) => entry.at >= oldest);
    }
    if (this.#buffer.length > 1000) this.#buffer = this.#buffer.slice(-1000);
  }

  #dropSocket(): void {
    const old = this.#socket;
    this.#socket = undefined;
    if (this.#ping) clearInterval(this.#ping);
    if (!old) return;
    old.removeAllListeners('close');
    if (old.readyState === WebSocket.CONNECTING) old.terminate();
    else old.close();
  }

  close(): void {
    this.#closed = true;
    this.#dropSocket();
    for (const set of this.#listeners.values()) for (const queue of set) queue.close();
    this.#listeners.clear();
  }
}
