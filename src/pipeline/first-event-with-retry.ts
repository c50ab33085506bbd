import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, wasRetried } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SiteEvent } from '../site-contract/site.ts';

/**
 * A site failure worth one more try: a 5xx-style hiccup, not a refusal, a login or a timeout, and
 * not one an account pool already failed over on.
 */
export function isTransientSiteError(error: unknown): boolean {
  return (
    error instanceof GatewayError &&
    !wasRetried(error) &&
    (error.kind === 'upstream' || error.kind === 'overloaded') &&
    [500, 502, 503, 504].includes(error.status)
  );
}

/**
 * Opens the site stream and waits for its first event; a transient failure before that first event
 * (nothing reached the caller yet) is retried once, transparently, after a short pause.
 */
export async function firstEventWithRetry(
  open: () => AsyncIterable<SiteEvent>,
  options: { signal: AbortSignal; logger: Logger; requestId: string; delayMs?: number },
): Promise<{ first: IteratorResult<SiteEvent>; rest: AsyncIterator<SiteEvent> }> {
  const attempt = async () => {
    const rest = open()[Symbol.asyncIterator]();
    return { first: await rest.next(), rest };
  };
  try {
    return await attempt();
  } catch (error) {
    if (!isTransientSiteError(error) || options.signal.aborted) throw error;
    options.logger.info({ requestId: options.requestId, err: error }, 'transient site error; retrying once');
    await sleep(options.delayMs ?? 250, undefined, { signal: options.signal });
    return attempt();
  }
}
