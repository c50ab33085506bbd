import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError, markRetried } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import type { SiteEvent } from '../site-contract/site.ts';
import { firstEventWithRetry, isTransientSiteError } from './first-event-with-retry.ts';

describe('isTransientSiteError', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['site 500', new GatewayError('upstream', 'x', { status: 500 }), true],
    ['site 502', new GatewayError('upstream', 'x'), true],
    ['overloaded 503', new GatewayError('overloaded', 'x'), true],
    ['rate limit', new GatewayError('rate_limit', 'x'), false],
    ['needs login', new GatewayError('needs_login', 'x'), false],
    ['timeout', new GatewayError('timeout', 'x'), false],
    ['bad request', new GatewayError('invalid_request', 'x'), false],
    ['plain error', new Error('x'), false],
    ['503 an account pool already failed over on', markRetried(new GatewayError('overloaded', 'x')), false],
  ];
  for (const [name, error, expected] of cases)
    test(name, () => assert.equal(isTransientSiteError(error), expected));
});

describe('firstEventWithRetry', () => {
  const options = {
    signal: new AbortController().signal,
    logger: createLogger('silent'),
    requestId: 'r',
    delayMs: 1,
  };
  const failingThen = (failures: GatewayError[]) => {
    let opened = 0;
    const open = () =>
      (async function* (): AsyncGenerator<SiteEvent> {
        const failure = failures[opened++];
        if (failure) throw failure;
        yield { type: 'text', delta: 'hi' };
      })();
    return { open, opened: () => opened };
  };

  test('one transient failure before the first event is retried', async () => {
    const site = failingThen([new GatewayError('upstream', 'boom', { status: 500 })]);
    const started = await firstEventWithRetry(site.open, options);
    assert.deepEqual(started.first.value, { type: 'text', delta: 'hi' });
    assert.equal(site.opened(), 2);
  });

  test('a second failure, or a non-transient one, is thrown', async () => {
    const twice = failingThen([new GatewayError('upstream', 'a'), new GatewayError('upstream', 'b')]);
    await assert.rejects(firstEventWithRetry(twice.open, options), /b/);
    const refused = failingThen([new GatewayError('rate_limit', 'slow down')]);
    await assert.rejects(firstEventWithRetry(refused.open, options), /slow down/);
    assert.equal(refused.opened(), 1);
  });
});
