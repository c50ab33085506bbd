import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openSlowStream, type ServeProcess, startServeProcess } from '../support/serve-process.ts';

// `webchat-gateway serve` as a real child process on the embedded demo site, sent SIGTERM while
// a `slow-1` stream (~40 words, 50 ms each) is in flight.

const startSlowStream = (served: ServeProcess) => openSlowStream(served.origin, served.key);

const contentOf = (sse: string) =>
  sse
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> })
    .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
    .join('');

describe('graceful shutdown of `serve`', () => {
  test('SIGTERM stops accepting, lets the in-flight stream finish, then exits 0', async () => {
    const served = await startServeProcess({
      env: { GATEWAY_SHUTDOWN_GRACE_MS: '20000', LOG_LEVEL: 'info' },
    });
    try {
      const stream = await startSlowStream(served);
      const signalledAt = Date.now();
      served.child.kill('SIGTERM');
      // The listener closes at once: a new connection is refused while the stream still runs.
      let refused = false;
      for (let i = 0; i < 40 && !refused; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        refused = await fetch(`${served.origin}/healthz`, { headers: { connection: 'close' } }).then(
          () => false,
          () => true,
        );
      }
      assert.ok(refused, 'new connections are refused during shutdown');
      const sse = await stream.rest;
      assert.match(sse, /"finish_reason":"stop"/);
      assert.match(sse, /data: \[DONE\]\n\n$/);
      assert.doesNotMatch(sse, /"error"/);
      assert.ok(contentOf(sse).split(/\s+/).length >= 30, `the whole reply arrived: ${contentOf(sse)}`);
      const code = await served.exit;
      assert.equal(code, 0, served.output());
      assert.ok(Date.now() - signalledAt < 15_000);
      assert.match(served.output(), /"msg":"shut down cleanly"/);
    } finally {
      served.child.kill('SIGKILL');
    }
  });

  test('past the grace period the stream ends with an error event, not a cut connection', async () => {
    const served = await startServeProcess({ env: { GATEWAY_SHUTDOWN_GRACE_MS: '200', LOG_LEVEL: 'info' } });
    try {
      const stream = await startSlowStream(served);
      // A non-streamed request in flight at the same time gets a retryable error status.
      const plain = fetch(`${served.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${served.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo/slow-1', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const signalledAt = Date.now();
      served.child.kill('SIGTERM');
      const answered = await plain;
      assert.equal(answered.status, 503);
      assert.match(
        ((await answered.json()) as { error: { message: string } }).error.message,
        /shutting down/,
      );
      const sse = await stream.rest;
      const error = sse
        .split('\n')
        .filter((line) => line.startsWith('data: {"error"'))
        .map((line) => JSON.parse(line.slice(6)) as { error: { message: string; type: string } })[0];
      assert.ok(error, `an error event ends the stream:\n${sse}`);
      assert.match(error.error.message, /shutting down/);
      assert.doesNotMatch(sse, /"finish_reason":"stop"/);
      const code = await served.exit;
      assert.equal(code, 0, served.output());
      // slow-1 needs ~2 s for its reply; the gateway did not wait for it.
      assert.ok(Date.now() - signalledAt < 1_800, `exited after ${Date.now() - signalledAt} ms`);
      assert.match(served.output(), /ending in-flight requests/);
    } finally {
      served.child.kill('SIGKILL');
    }
  });
});
