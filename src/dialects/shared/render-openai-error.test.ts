import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ErrorKind, GatewayError } from '../../core/errors.ts';
import { renderOpenAIError } from './render-openai-error.ts';

describe('renderOpenAIError', () => {
  const cases: { kind: ErrorKind; param?: string; status: number; type: string; code: string | null }[] = [
    { kind: 'invalid_request', param: 'messages', status: 400, type: 'invalid_request_error', code: null },
    {
      kind: 'context_length_exceeded',
      param: 'messages',
      status: 400,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
    },
    { kind: 'authentication', status: 401, type: 'authentication_error', code: 'invalid_api_key' },
    { kind: 'permission', status: 403, type: 'permission_error', code: null },
    {
      kind: 'not_found',
      param: 'model',
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
    },
    { kind: 'not_found', status: 404, type: 'invalid_request_error', code: null },
    { kind: 'request_too_large', status: 413, type: 'invalid_request_error', code: 'request_too_large' },
    { kind: 'rate_limit', status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    { kind: 'overloaded', status: 503, type: 'server_error', code: 'overloaded' },
    { kind: 'timeout', status: 504, type: 'server_error', code: 'timeout' },
    { kind: 'upstream', status: 502, type: 'server_error', code: 'upstream_error' },
    { kind: 'needs_login', status: 503, type: 'server_error', code: 'site_login_required' },
    { kind: 'internal', status: 500, type: 'server_error', code: null },
  ];
  for (const c of cases) {
    test(`${c.kind}${c.param ? ` (param ${c.param})` : ''} → ${c.status} ${c.type}`, () => {
      const error = new GatewayError(c.kind, 'Something went wrong.', c.param ? { param: c.param } : {});
      const rendered = renderOpenAIError(error);
      assert.equal(rendered.status, c.status);
      assert.deepEqual(rendered.body, {
        error: { message: 'Something went wrong.', type: c.type, param: c.param ?? null, code: c.code },
      });
    });
  }

  test('retry-after when the wait is known', () => {
    const rendered = renderOpenAIError(
      new GatewayError('rate_limit', 'slow down', { retryAfterSeconds: 2.2 }),
    );
    assert.deepEqual(rendered.headers, { 'retry-after': '3' });
  });

  test('x-should-retry: false for a 5xx that retrying will not fix', () => {
    assert.deepEqual(renderOpenAIError(new GatewayError('needs_login', 'log in')).headers, {
      'x-should-retry': 'false',
    });
    // A retryable 502 without a known wait suggests one (clients back off on it).
    assert.deepEqual(renderOpenAIError(new GatewayError('upstream', 'flaky')).headers, {
      'retry-after': '2',
    });
    assert.deepEqual(renderOpenAIError(new GatewayError('invalid_request', 'bad')).headers, {});
  });
});
