import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../site.ts';
import { type CaseContext, quickTurn, required } from './conformance-context.ts';
import { collect, failureOf, type SiteFault, textOf } from './conformance-target.ts';

/**
 * Site faults become the typed gateway errors the pipeline acts on (retry later, log in again,
 * fail over). The target's `fault(kind)` provokes each one on its fake server or the demo site.
 */
export function describeFaultCases({ target, skip, signal }: CaseContext): void {
  const send = () => target().site.send(quickTurn(target()), signal());

  async function withFault<T>(kind: SiteFault, run: (retryAfter?: number) => Promise<T>): Promise<T> {
    const fault = await required(target().fault, 'fault() switch')(kind);
    try {
      return await run(fault.retryAfterSeconds);
    } finally {
      await fault.restore();
    }
  }

  async function worksAgain(): Promise<void> {
    const events = await collect(send());
    assert.ok(
      textOf(events).includes(target().expectedText),
      'the site answers again once the fault is gone',
    );
  }

  test('a rate limit (429, retry-after) is a rate_limit GatewayError with retryAfterSeconds', {
    skip: skip('fault-rate-limit'),
  }, async () => {
    await withFault('rate-limit', async (retryAfter) => {
      const error = await failureOf(send());
      assert.ok(error instanceof GatewayError, `a GatewayError, got ${String(error)}`);
      assert.equal(error.kind, 'rate_limit', error.message);
      assert.equal(error.retryable, true);
      assert.ok((error.retryAfterSeconds ?? 0) > 0, `retryAfterSeconds ${error.retryAfterSeconds}`);
      if (retryAfter !== undefined) assert.equal(error.retryAfterSeconds, retryAfter);
    });
  });

  test('an ended session is logged into again, or is a needs_login GatewayError', {
    skip: skip('fault-session-ended'),
  }, async () => {
    const outcome = await withFault(
      'session-ended',
      async (): Promise<{ events: SiteEvent[] } | { error: unknown }> => {
        try {
          return { events: await collect(send()) };
        } catch (error) {
          return { error };
        }
      },
    );
    if ('events' in outcome) {
      assert.ok(
        textOf(outcome.events).includes(target().expectedText),
        'the turn went through after a re-login',
      );
    } else {
      const { error } = outcome;
      assert.ok(error instanceof GatewayError, `a GatewayError, got ${String(error)}`);
      assert.equal(error.kind, 'needs_login', error.message);
      assert.equal(error.retryable, false);
      await target().site.login(signal());
    }
    await worksAgain();
  });

  test('a server error (5xx) is an upstream GatewayError', { skip: skip('fault-server-error') }, async () => {
    await withFault('server-error', async () => {
      const error = await failureOf(send());
      assert.ok(error instanceof GatewayError, `a GatewayError, got ${String(error)}`);
      assert.equal(error.kind, 'upstream', error.message);
      assert.equal(error.retryable, true);
    });
  });
}
