/**
 * One error type for the whole gateway. Dialects map `kind` to their own status and JSON shape;
 * `message` is safe to show to callers (never a stack trace or a secret).
 */
export type ErrorKind =
  | 'invalid_request'
  | 'context_length_exceeded'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  /** The user's token quota cannot cover the request (429, not retryable). */
  | 'insufficient_quota'
  | 'overloaded'
  | 'timeout'
  | 'upstream'
  | 'needs_login'
  | 'internal';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_request: 400,
  context_length_exceeded: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  insufficient_quota: 429,
  overloaded: 503,
  timeout: 504,
  upstream: 502,
  needs_login: 503,
  internal: 500,
};

export interface GatewayErrorOptions {
  status?: number;
  /** The request field at fault, as the caller named it (`messages[2].content`). */
  param?: string;
  /** Seconds until a retry may succeed; becomes the `retry-after` header. */
  retryAfterSeconds?: number;
  /** Whether retrying the same request may succeed (used by failover and clients). */
  retryable?: boolean;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly retryable: boolean;

  constructor(kind: ErrorKind, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.kind = kind;
    this.status = options.status ?? STATUS_BY_KIND[kind];
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.retryable =
      options.retryable ??
      (kind === 'rate_limit' || kind === 'overloaded' || kind === 'timeout' || kind === 'upstream');
  }
}

/** Wraps anything thrown into a GatewayError without exposing internals to callers. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new GatewayError('timeout', 'The request was aborted before the site finished.', { cause: error });
  }
  return new GatewayError('internal', 'Internal gateway error.', { cause: error });
}

const RETRIED = new WeakSet<object>();

/**
 * Marks an error as already retried by the gateway (an account pool failed over across its
 * accounts, or waited for one): the pipeline's own transparent retry then leaves it alone.
 */
export function markRetried<T>(error: T): T {
  if (typeof error === 'object' && error !== null) RETRIED.add(error);
  return error;
}

export function wasRetried(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRIED.has(error);
}
