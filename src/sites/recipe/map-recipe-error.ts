import { type ErrorKind, GatewayError } from '../../core/errors.ts';
import { NeedsLoginError, parseRetryAfter, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import { firstMatch } from './json-path.ts';
import type { RecipeApi, RecipeErrorKind } from './recipe-schema.ts';

export type RecipeErrors = RecipeApi['errors'];

const KIND_BY_STATUS: Readonly<Record<number, RecipeErrorKind>> = {
  400: 'invalid_request',
  401: 'needs_login',
  403: 'permission',
  404: 'not_found',
  409: 'rate_limit',
  413: 'request_too_large',
  415: 'invalid_request',
  422: 'invalid_request',
  429: 'rate_limit',
  503: 'overloaded',
  504: 'timeout',
};

export interface SiteErrorBody {
  code?: string;
  message?: string;
}

/** The site's own error code and message, read from a body with the recipe's `errors` paths. */
export function readErrorBody(errors: RecipeErrors, text: string): SiteErrorBody {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return {};
  }
  const code = errors.code ? firstMatch(errors.code, data) : undefined;
  const message = errors.message ? firstMatch(errors.message, data) : undefined;
  return {
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

export interface ErrorContext {
  /** What the gateway was doing: `send`, `list models`… */
  action: string;
  threadId?: string;
  retryAfter?: string | null;
}

/** A site refusal (an HTTP status with an error body) as the gateway's error. */
export function errorFromStatus(
  errors: RecipeErrors,
  status: number,
  text: string,
  context: ErrorContext,
): GatewayError {
  const body = readErrorBody(errors, text);
  const kind =
    (body.code !== undefined ? errors.codes[body.code] : undefined) ??
    errors.statuses[String(status)] ??
    KIND_BY_STATUS[status] ??
    'upstream';
  const detail = `The site refused to ${context.action} (${status}${body.code ? ` ${body.code}` : ''}).`;
  return toError(kind, detail, context, parseRetryAfter(context.retryAfter));
}

/** An error the site reported inside the reply stream. */
export function errorFromStream(
  errors: RecipeErrors,
  body: SiteErrorBody,
  context: ErrorContext,
): GatewayError {
  const kind = (body.code !== undefined ? errors.codes[body.code] : undefined) ?? 'upstream';
  const detail = `The site reported an error during the reply${body.code ? ` (${body.code})` : ''}${
    body.message ? `: ${body.message}` : '.'
  }`;
  return toError(kind, detail, context, undefined);
}

function toError(
  kind: RecipeErrorKind,
  detail: string,
  context: ErrorContext,
  retryAfterSeconds: number | undefined,
): GatewayError {
  if (kind === 'thread_not_found') {
    return context.threadId
      ? new ThreadNotFoundError(context.threadId)
      : new GatewayError('not_found', detail);
  }
  if (kind === 'needs_login') return new NeedsLoginError(detail);
  const gatewayKind: ErrorKind = kind;
  return new GatewayError(gatewayKind, detail, {
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(kind === 'rate_limit' && retryAfterSeconds === undefined ? { retryAfterSeconds: 1 } : {}),
  });
}
