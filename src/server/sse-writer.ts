import type { ServerResponse } from 'node:http';

/**
 * Writes SSE frames to a hijacked response. Frames produced in the same turn of the event loop
 * (a site often delivers many deltas in one TCP read) leave in one write: the socket is corked on
 * the first frame and uncorked on the next macrotask, costing at most one loop turn of latency.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  #corked = false;

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

  async write(frames: string[]): Promise<void> {
    if (frames.length === 0 || this.closed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#res.cork();
      setImmediate(() => this.#uncork());
    }
    const ok = this.#res.write(frames.length === 1 ? frames[0]! : frames.join(''));
    if (!ok && !this.closed) {
      this.#uncork();
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#res.off('drain', done);
          this.#res.off('close', done);
          resolve();
        };
        this.#res.on('drain', done);
        this.#res.on('close', done);
      });
    }
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#res.uncork();
  }

  end(): void {
    this.#uncork();
    if (!this.closed) this.#res.end();
  }
}
