import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatResetDuration, renderRateLimitHeaders, tightest } from './rate-limit-headers.ts';

const NOW = Date.parse('2026-12-07T06:00:00.000Z');

test('reset durations in OpenAI notation', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [20, '20ms'],
    [999.2, '1s'],
    [1000, '1s'],
    [1001, '2s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
    [-5, '0ms'],
  ];
  for (const [ms, expected] of cases) assert.equal(formatResetDuration(ms), expected, `${ms}`);
});

test('headers per dialect', () => {
  const view = {
    requests: { limit: 60, remaining: 59, resetMs: 1000 },
    tokens: { limit: 10_000, remaining: 9_000.7, resetMs: 6_000 },
  };
  assert.deepEqual(renderRateLimitHeaders('openai', view, NOW), {
    'x-ratelimit-limit-requests': '60',
    'x-ratelimit-remaining-requests': '59',
    'x-ratelimit-reset-requests': '1s',
    'x-ratelimit-limit-tokens': '10000',
    'x-ratelimit-remaining-tokens': '9000',
    'x-ratelimit-reset-tokens': '6s',
  });
  assert.deepEqual(renderRateLimitHeaders('anthropic', { ...view, retryAfterSeconds: 0.2 }, NOW), {
    'anthropic-ratelimit-requests-limit': '60',
    'anthropic-ratelimit-requests-remaining': '59',
    'anthropic-ratelimit-requests-reset': '2026-12-07T06:00:01Z',
    'anthropic-ratelimit-tokens-limit': '10000',
    'anthropic-ratelimit-tokens-remaining': '9000',
    'anthropic-ratelimit-tokens-reset': '2026-12-07T06:00:06Z',
    'retry-after': '1',
  });
  assert.deepEqual(renderRateLimitHeaders('openai', { retryAfterSeconds: 3 }, NOW), { 'retry-after': '3' });
  assert.deepEqual(
    renderRateLimitHeaders('openai', { requests: { limit: 1, remaining: -2, resetMs: 10 } }, NOW),
    {
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '10ms',
    },
  );
});

test('tightest picks the fewest remaining', () => {
  const a = { limit: 100, remaining: 50, resetMs: 1 };
  const b = { limit: 10, remaining: 3, resetMs: 2 };
  assert.equal(tightest([a, undefined, b]), b);
  assert.equal(tightest([undefined]), undefined);
});
