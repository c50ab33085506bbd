import type { GatewayError } from '../../core/errors.ts';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: object;
}

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
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
  }
  if (!error.retryable && sdkRetries(status)) headers['x-should-retry'] = 'false';
  return headers;
}
