import type { ServerResponse } from 'node:http';

/** Writes SSE frames to a hijacked response, honouring backpressure. */
export class SseWriter {
  readonly #res: ServerResponse;

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
    const ok = this.#res.write(frames.join(''));
    if (!ok && !this.closed) {
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

  end(): void {
    if (!this.closed) this.#res.end();
  }
}
