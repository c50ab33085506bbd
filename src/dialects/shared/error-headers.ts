import type { GatewayError } from '../../core/errors.ts';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: object;
}

/** A wait to suggest when the site gave none: clients back off on it instead of guessing. */
const DEFAULT_RETRY_AFTER: Record<number, number> = { 429: 5, 502: 2, 503: 5, 529: 5 };

/** Statuses the OpenAI and Anthropic SDKs retry on their own. */
function sdkRetries(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * `retry-after` when we know the wait; `x-should-retry: false` stops both SDKs from hammering a
 * failure they would otherwise retry (a site that needs a login will not recover in seconds).
 */
export function errorHeaders(error: GatewayError, status = error.status): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = error.retryAfterSeconds ?? (error.retryable ? DEFAULT_RETRY_AFTER[status] : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(retryAfter)));
  if (!error.retryable && sdkRetries(status)) headers['x-should-retry'] = 'false';
  return headers;
}
