import type { ErrorKind, GatewayError } from '../../core/errors.ts';
import { errorHeaders, type RenderedError } from '../shared/error-headers.ts';

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  // Anthropic has no separate out-of-credit type on 429; rate_limit_error is what it sends.
  insufficient_quota: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  upstream: 'api_error',
  needs_login: 'api_error',
  internal: 'api_error',
};

/** Anthropic's own status for an overload is 529; clients (Claude Code) back off on it specifically. */
export function anthropicStatus(error: GatewayError): number {
  return error.kind === 'overloaded' ? 529 : error.status;
}

export function anthropicErrorBody(error: GatewayError): {
  type: 'error';
  error: { type: string; message: string };
} {
  return { type: 'error', error: { type: TYPE_BY_KIND[error.kind], message: error.message } };
}

export function renderAnthropicError(error: GatewayError): RenderedError {
  const status = anthropicStatus(error);
  return { status, headers: errorHeaders(error, status), body: anthropicErrorBody(error) };
}
