import type { ServerResponse } from 'node:http';

/**
 * Writes SSE frames to a hijacked response. Frames produced in the same turn of the event loop (a
 * site often delivers many deltas in one TCP read) are joined and leave in one `write` on the next
 * macrotask: one buffer and one syscall instead of one per frame, for at most one loop turn of
 * latency.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  #pending: string[] = [];
  #scheduled = false;
  #drained: Promise<void> | undefined;

  constructor(res: ServerResponse, status: number, headers: Record<string, string>) {
    this.#res = res;
    res.writeHead(status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Reverse proxies (nginx) must not buffer a stream.
      'x-accel-buffering': 'no',
      ...headers,
    });
    res.flushHeaders();
  }

  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  /** Queues frames; resolves at once unless the client is not keeping up (backpressure). */
  async write(frames: string[]): Promise<void> {
    if (frames.length === 0 || this.closed) return;
    for (const frame of frames) this.#pending.push(frame);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
    if (this.#drained) await this.#drained;
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0 || this.closed) {
      this.#pending = [];
      return;
    }
    const text = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    this.#pending = [];
    if (!this.#res.write(text) && !this.#drained) {
      this.#drained = new Promise<void>((resolve) => {
        const done = () => {
          this.#res.off('drain', done);
          this.#res.off('close', done);
          this.#drained = undefined;
          resolve();
        };
        this.#res.on('drain', done);
        this.#res.on('close', done);
      });
    }
  }

  end(): void {
    this.#flush();
    if (!this.closed) this.#res.end();
  }
}
