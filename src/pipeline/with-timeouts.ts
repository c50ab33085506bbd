import { GatewayError } from '../core/errors.ts';
import type { TimeoutsConfig } from '../config/config-schema.ts';

/**
 * Pulls from a site stream under three separate limits: time to the first event, silence
 * between events, and total time. On expiry the site call is aborted through `abort` and a
 * timeout GatewayError is thrown to the consumer.
 */
export async function* withTimeouts<T>(
  source: AsyncIterable<T>,
  timeouts: TimeoutsConfig,
  abort: (reason: GatewayError) => void,
): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  const deadline = Date.now() + timeouts.totalMs;
  let first = true;
  try {
    for (;;) {
      const limit = Math.min(first ? timeouts.firstByteMs : timeouts.idleMs, deadline - Date.now());
      const which = first ? 'first byte' : Date.now() + timeouts.idleMs > deadline ? 'total' : 'idle';
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), Math.max(0, limit));
      });
      const next = await Promise.race([iterator.next(), expired]).finally(() => clearTimeout(timer));
      if (next === 'expired') {
        const error = new GatewayError('timeout', `The site did not answer in time (${which} timeout).`);
        abort(error);
        throw error;
      }
      if (next.done) return;
      first = false;
      yield next.value;
    }
  } finally {
    // Closing our consumer closes the site stream (and its request).
    void iterator.return?.();
  }
}
