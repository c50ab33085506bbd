import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ErrorKind } from '../../core/errors.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';
import { mapUpstreamError, parseErrorBody } from './map-upstream-error.ts';

const body = (message: string, code?: string, type = 'invalid_request_error') =>
  JSON.stringify({ error: { message, type, code } });

describe('mapUpstreamError', () => {
  const cases: Array<
    [string, number, string, ErrorKind, Partial<{ retryAfter: string; retryable: boolean; seconds: number }>]
  > = [
    [
      'bad key',
      401,
      body('Invalid API key provided', 'invalid_api_key'),
      'needs_login',
      { retryable: false },
    ],
    [
      'Poe out of points',
      402,
      body('Insufficient points', 'insufficient_points'),
      'rate_limit',
      { retryable: false },
    ],
    ['forbidden', 403, body('No access'), 'permission', {}],
    ['unknown model (Poe 400)', 400, body("Model 'x' does not exist", 'model_not_found'), 'not_found', {}],
    ['unknown model (404)', 404, body('not found'), 'not_found', {}],
    [
      'context too long (code)',
      400,
      body('too long', 'context_length_exceeded'),
      'context_length_exceeded',
      {},
    ],
    [
      'context too long (message)',
      400,
      body("This model's maximum context length is 8192 tokens"),
      'context_length_exceeded',
      {},
    ],
    [
      'bad parameter',
      400,
      body('Temperature must be between 0 and 2', 'invalid_parameter'),
      'invalid_request',
      {},
    ],
    [
      'rate limited',
      429,
      body('Rate limit exceeded', 'rate_limit_exceeded'),
      'rate_limit',
      { retryAfter: '7', seconds: 7 },
    ],
    ['too large', 413, 'Request Entity Too Large', 'request_too_large', {}],
    [
      'overloaded',
      503,
      body('Service unavailable', undefined, 'server_error'),
      'overloaded',
      { retryAfter: '3', seconds: 3 },
    ],
    ['server error', 500, '<html><body>Internal error</body></html>', 'upstream', {}],
    ['bad gateway', 502, '', 'upstream', {}],
  ];
  for (const [name, status, text, kind, extra] of cases) {
    test(`${name}: ${status} → ${kind}`, () => {
      const error = mapUpstreamError({
        status,
        body: text,
        retryAfter: extra.retryAfter ?? null,
        action: 'answer',
        balanceName: 'Poe points',
      });
      assert.equal(error.kind, kind);
      if (extra.retryable !== undefined) assert.equal(error.retryable, extra.retryable);
      if (extra.seconds !== undefined) assert.equal(error.retryAfterSeconds, extra.seconds);
    });
  }

  test('401 is a NeedsLoginError naming the key problem', () => {
    const error = mapUpstreamError({ status: 401, body: body('Invalid API key provided'), action: 'answer' });
    assert.ok(error instanceof NeedsLoginError);
    assert.match(error.message, /API key/);
  });

  test('402 names the balance and keeps the upstream words', () => {
    const error = mapUpstreamError({
      status: 402,
      body: body('You need 40 more points'),
      action: 'answer',
      balanceName: 'Poe points',
    });
    assert.match(error.message, /Poe points/);
    assert.match(error.message, /40 more points/);
  });

  test('an HTML page never leaks into the message', () => {
    const error = mapUpstreamError({
      status: 500,
      body: '<html><script>secret()</script></html>',
      action: 'answer',
    });
    assert.ok(!error.message.includes('secret'));
  });
});

describe('parseErrorBody', () => {
  test('string errors, message-only bodies and plain text', () => {
    assert.deepEqual(parseErrorBody('{"error":"nope"}'), { message: 'nope', code: undefined });
    assert.deepEqual(parseErrorBody('{"message":"m"}'), { message: 'm', code: undefined });
    assert.deepEqual(parseErrorBody('{"error":{"message":"x","type":"t","code":null}}'), {
      message: 'x',
      code: 't',
    });
    assert.deepEqual(parseErrorBody('plain  text'), { message: 'plain text', code: undefined });
  });
});
