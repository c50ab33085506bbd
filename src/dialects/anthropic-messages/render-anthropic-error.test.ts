import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ErrorKind, GatewayError } from '../../core/errors.ts';
import { renderAnthropicError } from './render-anthropic-error.ts';

describe('renderAnthropicError', () => {
  const cases: { kind: ErrorKind; status: number; type: string }[] = [
    { kind: 'invalid_request', status: 400, type: 'invalid_request_error' },
    { kind: 'context_length_exceeded', status: 400, type: 'invalid_request_error' },
    { kind: 'authentication', status: 401, type: 'authentication_error' },
    { kind: 'permission', status: 403, type: 'permission_error' },
    { kind: 'not_found', status: 404, type: 'not_found_error' },
    { kind: 'request_too_large', status: 413, type: 'request_too_large' },
    { kind: 'rate_limit', status: 429, type: 'rate_limit_error' },
    { kind: 'overloaded', status: 529, type: 'overloaded_error' },
    { kind: 'timeout', status: 504, type: 'timeout_error' },
    { kind: 'upstream', status: 502, type: 'api_error' },
    { kind: 'needs_login', status: 503, type: 'api_error' },
    { kind: 'internal', status: 500, type: 'api_error' },
  ];
  for (const c of cases) {
    test(`${c.kind} → ${c.status} ${c.type}`, () => {
      const rendered = renderAnthropicError(new GatewayError(c.kind, 'Something went wrong.'));
      assert.equal(rendered.status, c.status);
      assert.deepEqual(rendered.body, {
        type: 'error',
        error: { type: c.type, message: 'Something went wrong.' },
      });
    });
  }

  test('retry-after on 429 and 529', () => {
    assert.deepEqual(
      renderAnthropicError(new GatewayError('rate_limit', 'slow', { retryAfterSeconds: 5 })).headers,
      {
        'retry-after': '5',
      },
    );
    assert.deepEqual(
      renderAnthropicError(new GatewayError('overloaded', 'busy', { retryAfterSeconds: 1 })).headers,
      {
        'retry-after': '1',
      },
    );
  });

  test('an explicit status survives, except that overloaded is always 529', () => {
    assert.equal(renderAnthropicError(new GatewayError('upstream', 'x', { status: 504 })).status, 504);
    assert.equal(renderAnthropicError(new GatewayError('overloaded', 'x', { status: 503 })).status, 529);
  });
});
