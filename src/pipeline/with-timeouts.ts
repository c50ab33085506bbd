import type { TimeoutsConfig } from '../config/config-schema.ts';
import { GatewayError } from '../core/errors.ts';

/**
 * Pulls from a site stream under three separate limits: time to the first event, silence
 * between events, and total time. On expiry the site call is aborted through `abort` and a
 * timeout GatewayError is thrown to the consumer. One timer is re-armed per event (no timer or
 * promise per event), since streams carry hundreds of small events.
 */
export async function* withTimeouts<T>(
  source: AsyncIterable<T>,
  timeouts: TimeoutsConfig,
  abort: (reason: GatewayError) => void,
): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  let expire: (error: GatewayError) => void = () => {};
  const expired = new Promise<GatewayError>((resolve) => {
    expire = resolve;
  });
  let fired: GatewayError | undefined;
  const fire = (which: string) => {
    if (fired) return;
    fired = new GatewayError('timeout', `The site did not answer in time (${which} timeout).`);
    abort(fired);
    expire(fired);
  };
  const total = setTimeout(() => fire('total'), timeouts.totalMs);
  let gap = setTimeout(() => fire('first byte'), timeouts.firstByteMs);
  let first = true;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), expired]);
      if (next instanceof GatewayError) throw next;
      if (fired) throw fired;
      if (next.done) return;
      if (first) {
        first = false;
        clearTimeout(gap);
        gap = setTimeout(() => fire('idle'), timeouts.idleMs);
      } else {
        gap.refresh();
      }
      yield next.value;
    }
  } finally {
    clearTimeout(total);
    clearTimeout(gap);
    // Closing our consumer closes the site stream (and its request).
    void iterator.return?.();
  }
}
