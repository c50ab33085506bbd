import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import {
  AccountDisabledError,
  NeedsLoginError,
  ThreadNotFoundError,
} from '../../site-contract/site-errors.ts';
import { afterError, availableAt, classifySiteError, type HealthPolicy } from './account-health.ts';

const POLICY: HealthPolicy = {
  backoffMinMs: 1000,
  backoffMaxMs: 30 * 60_000,
  transientFailures: 3,
  transientWindowMs: 60_000,
  transientCooldownMs: 60_000,
  jitter: 0.2,
};
const mid = () => 0.5; // no jitter

test('site errors are classified by what they say of the account', () => {
  const cases: Array<[unknown, string]> = [
    [new GatewayError('rate_limit', 'slow down', { retryAfterSeconds: 7 }), 'rate-limited'],
    [new GatewayError('insufficient_quota', 'daily cap'), 'rate-limited'],
    [new GatewayError('upstream', '502'), 'transient'],
    [new GatewayError('overloaded', '503'), 'transient'],
    [new GatewayError('timeout', 'stall'), 'transient'],
    [new Error('socket hang up'), 'transient'],
    [new NeedsLoginError('captcha'), 'needs-login'],
    [new AccountDisabledError('banned for spam'), 'disabled'],
    [new ThreadNotFoundError('t1'), 'request'],
    [new GatewayError('invalid_request', 'bad'), 'request'],
    [new GatewayError('context_length_exceeded', 'long'), 'request'],
  ];
  for (const [error, type] of cases) assert.equal(classifySiteError(error).type, type, String(error));
  assert.deepEqual(classifySiteError(new GatewayError('rate_limit', 'x', { retryAfterSeconds: 7 })), {
    type: 'rate-limited',
    retryAfterMs: 7000,
  });
});

test('a rate limit with a reset time cools until it; without one the back-off doubles up to the cap', () => {
  const now = 1_000_000;
  const withReset = afterError(
    undefined,
    { type: 'rate-limited', retryAfterMs: 42_000 },
    '429',
    now,
    POLICY,
    mid,
  );
  assert.equal(withReset?.until, now + 42_000);
  let state = afterError(undefined, { type: 'rate-limited' }, '429', now, POLICY, mid);
  const delays = [state?.until ?? 0];
  for (let strike = 1; strike < 14; strike++) {
    state = afterError(
      { ...(state as NonNullable<typeof state>), until: now },
      { type: 'rate-limited' },
      '429',
      now,
      POLICY,
      mid,
    );
    delays.push(state?.until ?? 0);
  }
  assert.deepEqual(
    delays.slice(0, 5).map((until) => until - now),
    [1000, 2000, 4000, 8000, 16_000],
  );
  assert.equal(Math.max(...delays) - now, 30 * 60_000, 'capped at 30 min');
});

test('jitter spreads the back-off within ±20 %', () => {
  const low = afterError(undefined, { type: 'rate-limited' }, '429', 0, POLICY, () => 0);
  const high = afterError(undefined, { type: 'rate-limited' }, '429', 0, POLICY, () => 0.999_999);
  assert.equal(low?.until, 800);
  assert.ok((high?.until ?? 0) > 1199 && (high?.until ?? 0) <= 1200);
});

test('a second cooldown never shortens a running one', () => {
  const long = afterError(
    undefined,
    { type: 'rate-limited', retryAfterMs: 600_000 },
    'daily cap',
    0,
    POLICY,
    mid,
  );
  const short = afterError(long, { type: 'rate-limited', retryAfterMs: 1000 }, '429', 10, POLICY, mid);
  assert.equal(short?.until, 600_000);
});

test('transient failures cool the model only after N within the window, never on one', () => {
  let state = afterError(undefined, { type: 'transient' }, '502', 0, POLICY, mid);
  assert.equal(state?.status, 'failing');
  assert.equal(availableAt(state), 0, 'one transient error does not take the account out');
  state = afterError(state, { type: 'transient' }, '502', 1000, POLICY, mid);
  assert.equal(availableAt(state), 0);
  state = afterError(state, { type: 'transient' }, '502', 2000, POLICY, mid);
  assert.equal(state?.status, 'cooling');
  assert.equal(availableAt(state), 62_000);
  // Failures outside the window do not count.
  let spread = afterError(undefined, { type: 'transient' }, '502', 0, POLICY, mid);
  spread = afterError(spread, { type: 'transient' }, '502', 61_000, POLICY, mid);
  spread = afterError(spread, { type: 'transient' }, '502', 122_000, POLICY, mid);
  assert.equal(spread?.status, 'failing');
});

test('login and ban states last until cleared; request errors change nothing', () => {
  const login = afterError(undefined, { type: 'needs-login' }, 'captcha', 0, POLICY);
  assert.equal(availableAt(login), Number.POSITIVE_INFINITY);
  const banned = afterError(undefined, { type: 'disabled' }, 'banned', 0, POLICY);
  assert.equal(banned?.status, 'disabled');
  assert.equal(availableAt(banned), Number.POSITIVE_INFINITY);
  assert.equal(afterError(undefined, { type: 'request' }, 'bad', 0, POLICY), undefined);
  assert.equal(availableAt(undefined), 0);
});

test('429s that arrive during a running cooldown (a burst sent before the first came back) add no strike', () => {
  const first = afterError(undefined, { type: 'rate-limited' }, '429', 0, POLICY, mid);
  let state = first;
  for (let i = 1; i <= 5; i++) state = afterError(state, { type: 'rate-limited' }, '429', i, POLICY, mid);
  assert.equal(state?.strikes, 1);
  assert.equal(state?.until, first?.until, 'the cooldown is the first one, not doubled five times');
  const later = afterError(state, { type: 'rate-limited' }, '429', (state?.until ?? 0) + 1, POLICY, mid);
  assert.equal(later?.strikes, 2, 'after the cooldown a new 429 is a new strike');
  assert.equal((later?.until ?? 0) - ((state?.until ?? 0) + 1), 2000);
});
