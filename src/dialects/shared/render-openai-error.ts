import type { ErrorKind, GatewayError } from '../../core/errors.ts';
import { errorHeaders, type RenderedError } from './error-headers.ts';

/** OpenAI's error object: `{message, type, param, code}`, all four keys always present. */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  // OpenAI itself answers 404s (unknown model, unknown route) with `invalid_request_error`.
  not_found: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  // OpenAI's own out-of-credit answer: 429, type and code `insufficient_quota`.
  insufficient_quota: 'insufficient_quota',
  overloaded: 'server_error',
  timeout: 'server_error',
  upstream: 'server_error',
  needs_login: 'server_error',
  internal: 'server_error',
};

function codeFor(error: GatewayError): string | null {
  switch (error.kind) {
    case 'context_length_exceeded':
      return 'context_length_exceeded';
    case 'authentication':
      return 'invalid_api_key';
    case 'not_found':
      return error.param === 'model' ? 'model_not_found' : null;
    case 'request_too_large':
      return 'request_too_large';
    case 'rate_limit':
      return 'rate_limit_exceeded';
    case 'insufficient_quota':
      return 'insufficient_quota';
    case 'overloaded':
      return 'overloaded';
    case 'timeout':
      return 'timeout';
    case 'upstream':
      return 'upstream_error';
    case 'needs_login':
      return 'site_login_required';
    default:
      return null;
  }
}

export function openAIErrorObject(error: GatewayError): OpenAIErrorObject {
  return {
    message: error.message,
    type: TYPE_BY_KIND[error.kind],
    param: error.param ?? null,
    code: codeFor(error),
  };
}

/** The HTTP error response for both OpenAI front doors (Chat Completions and Responses). */
export function renderOpenAIError(error: GatewayError): RenderedError {
  return { status: error.status, headers: errorHeaders(error), body: { error: openAIErrorObject(error) } };
}
