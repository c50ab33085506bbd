import { z } from 'zod';
import { GatewayError } from '../../core/errors.ts';
import { NeedsLoginError, parseRetryAfter } from '../../site-contract/site-errors.ts';

/** The OpenAI error object (`{error: {message, type, code}}`, or a bare string), which most upstreams follow. */
export const OpenAIErrorBody = z.object({
  error: z.union([
    z.string(),
    z
      .object({
        message: z.string().optional(),
        type: z.string().nullish(),
        code: z.union([z.string(), z.number()]).nullish(),
      })
      .loose(),
  ]),
});
export type OpenAIErrorBody = z.infer<typeof OpenAIErrorBody>;

export interface UpstreamFailure {
  status: number;
  /** The response body as text (JSON error object or anything else). */
  body: string;
  retryAfter?: string | null;
  /** What the adapter was doing, for the message (`send`, `list models`). */
  action: string;
  /** Words for an exhausted balance (402): Poe says points, others credits. */
  balanceName?: string;
}

const CONTEXT_MESSAGE = /context.length|context window|maximum context|too many tokens|prompt is too long/i;

/**
 * An OpenAI-compatible upstream's HTTP error → the gateway error a client should see. Messages name
 * the upstream's own words so the user can act on them (a bad key, no points left, a wrong model).
 */
export function mapUpstreamError(failure: UpstreamFailure): GatewayError {
  const { status } = failure;
  const { message, code } = parseErrorBody(failure.body);
  const retryAfterSeconds = parseRetryAfter(failure.retryAfter);
  const detail = `The upstream refused to ${failure.action} (${status}${code ? ` ${code}` : ''})${message ? `: ${message}` : '.'}`;
  if (status === 401)
    return new NeedsLoginError(`the upstream rejected the API key${message ? ` (${message})` : ''}`);
  if (status === 402) {
    return new GatewayError(
      'rate_limit',
      `The upstream account has run out of ${failure.balanceName ?? 'credits'}${message ? `: ${message}` : '.'}`,
      // Waiting does not refill a balance; failover to another account may still help.
      { retryable: false, retryAfterSeconds },
    );
  }
  if (status === 403) return new GatewayError('permission', detail);
  if (status === 404 || code === 'model_not_found')
    return new GatewayError('not_found', detail, { param: 'model' });
  if (status === 408) return new GatewayError('timeout', detail);
  if (status === 413) return new GatewayError('request_too_large', detail);
  if (status === 429) return new GatewayError('rate_limit', detail, { retryAfterSeconds });
  if (status === 400 || status === 422) {
    if (code === 'context_length_exceeded' || CONTEXT_MESSAGE.test(message)) {
      return new GatewayError('context_length_exceeded', detail);
    }
    return new GatewayError('invalid_request', detail);
  }
  if (status === 503 || status === 529) return new GatewayError('overloaded', detail, { retryAfterSeconds });
  return new GatewayError('upstream', detail, { retryAfterSeconds });
}

export function parseErrorBody(body: string): { message: string; code: string | undefined } {
  try {
    const parsed = OpenAIErrorBody.safeParse(JSON.parse(body));
    if (parsed.success) {
      const error = parsed.data.error;
      if (typeof error === 'string') return { message: error, code: undefined };
      return {
        message: error.message ?? '',
        code:
          error.code === null || error.code === undefined ? (error.type ?? undefined) : String(error.code),
      };
    }
    const loose = JSON.parse(body) as { message?: unknown; detail?: unknown };
    const text =
      typeof loose.message === 'string'
        ? loose.message
        : typeof loose.detail === 'string'
          ? loose.detail
          : '';
    return { message: text, code: undefined };
  } catch {
    // Not JSON: an HTML error page says nothing useful; plain text is kept short.
    const text = body.replace(/\s+/g, ' ').trim();
    return { message: text.startsWith('<') ? 'an HTML error page' : text.slice(0, 200), code: undefined };
  }
}
