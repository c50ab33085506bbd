import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

/** After the grace period has ended the in-flight chats, how long they get to write their last event. */
const CUT_AFTER_END_MS = 2_000;

/**
 * Graceful stop of the HTTP side. `close` stops accepting (the listener closes, idle keep-alive
 * sockets are dropped, requests on open sockets get 503), lets in-flight requests finish within the
 * grace period, then aborts `signal`: chat handlers end their stream with the dialect's error event
 * (or answer an error status) instead of being cut mid-frame. Whatever is still open shortly after
 * that is closed.
 */
export class Drain {
  readonly #controller = new AbortController();
  readonly #open = new Set<ServerResponse>();
  #draining = false;

  /** Aborted (with an `overloaded`, retryable error) when the grace period is over. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#open.size;
  }

  /** Counts the app's requests in flight (streams included: they are tracked by their socket). */
  track(app: FastifyInstance): void {
    app.addHook('onRequest', async (_request, reply) => {
      const response = reply.raw;
      this.#open.add(response);
      response.once('close', () => {
        this.#open.delete(response);
        // A socket kept alive after its last response would hold `server.close` until it times out.
        if (this.#draining) this.#closeLeftovers(app);
      });
    });
  }

  /**
   * Idle keep-alive sockets go at once; once no tracked request is in flight, every socket goes:
   * one whose client vanished mid-request (a request aborted while queued) is not "idle" to Node
   * and would otherwise hold `server.close` for the whole keep-alive timeout (72 s).
   */
  #closeLeftovers(app: FastifyInstance): void {
    if (this.#open.size === 0) app.server.closeAllConnections();
    else app.server.closeIdleConnections();
  }

  async close(app: FastifyInstance, graceMs: number, logger: Logger): Promise<void> {
    this.#draining = true;
    const closing = app.close();
    this.#closeLeftovers(app);
    if (this.#open.size > 0) {
      logger.info({ inFlight: this.#open.size, graceMs }, 'waiting for in-flight requests to finish');
    }
    const timers: NodeJS.Timeout[] = [];
    timers.push(
      setTimeout(() => {
        if (this.#open.size === 0) return;
        logger.warn({ inFlight: this.#open.size }, 'shutdown grace period over; ending in-flight requests');
        this.#controller.abort(
          new GatewayError('overloaded', 'The gateway is shutting down; retry the request.', {
            retryable: true,
          }),
        );
        timers.push(setTimeout(() => app.server.closeAllConnections(), CUT_AFTER_END_MS));
      }, graceMs),
    );
    try {
      await closing;
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  }
}
