import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { AccountDisabledError, NeedsLoginError } from '../../site-contract/site-errors.ts';
import type { SiteEvent, SiteTurn } from '../../site-contract/site.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import { startKeepAlive } from '../accounts/session-keep-alive.ts';
import { DemoSiteAdapter } from './demo-site-adapter.ts';

const logger = createLogger('silent');
const signal = () => AbortSignal.timeout(10_000);
const turn = (model: string, text = 'say ok'): SiteTurn => ({ model, text, attachments: [] });

async function reply(events: AsyncIterable<SiteEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'text') text += event.delta;
  return text;
}

/** Rejects with a GatewayError of kind rate_limit carrying the site's Retry-After. */
async function assertRateLimited(promise: Promise<unknown>, retryAfterSeconds: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.kind, 'rate_limit');
    assert.equal(error.retryAfterSeconds, retryAfterSeconds);
    return true;
  });
}

for (const streaming of ['sse', 'ws'] as const) {
  describe(`demo adapter over HTTP (${streaming}): per-account faults`, () => {
    let demo: DemoSite;
    const adapters: DemoSiteAdapter[] = [];
    const adapterFor = (username: string) => {
      const adapter = new DemoSiteAdapter({
        id: 'demo',
        baseUrl: demo.url,
        credentials: { username, password: `${username}-password` },
        streaming,
        transport: new HttpTransport(),
        logger,
      });
      adapters.push(adapter);
      return adapter;
    };

    before(async () => {
      demo = await startDemoSite({ control: true, logLevel: 'silent', wordDelayMs: 0 });
    });
    afterEach(() => demo.reset());
    after(async () => {
      for (const adapter of adapters) await adapter.close();
      await demo.close();
    });

    test('a banned account: sends, session checks and logins throw AccountDisabledError with the site reason', async () => {
      const site = adapterFor('demo');
      const other = adapterFor('demo-2');
      assert.match(await reply(site.send(turn('text-1'), signal())), /\nok$/);
      demo.setAccountFaults('demo', { banned: 'chargeback' });

      for (const attempt of [
        () => reply(site.send(turn('text-1'), signal())),
        () => site.listModels(signal()),
        () => site.checkSession(signal()),
        () => site.login(signal()),
        () => adapterFor('demo').login(signal()),
      ]) {
        await assert.rejects(attempt(), (error: unknown) => {
          assert.ok(error instanceof AccountDisabledError, String(error));
          assert.match(error.reason, /suspended: chargeback/);
          return true;
        });
      }
      assert.match(
        await reply(other.send(turn('text-1'), signal())),
        /\nok$/,
        'another account is unaffected',
      );

      const keepAlive = startKeepAlive(adapterFor('demo'), 60_000, { logger });
      try {
        const health = await keepAlive.checkNow();
        assert.equal(health.state, 'disabled', 'not "needs login"');
        assert.match(health.state === 'disabled' ? health.reason : '', /chargeback/);
      } finally {
        keepAlive.stop();
      }

      demo.setAccountFaults('demo', {});
      assert.match(await reply(site.send(turn('text-1'), signal())), /\nok$/, 'back once unbanned');
    });

    test('a per-account rate limit is kind rate_limit with the Retry-After, on the listed model only', async () => {
      const site = adapterFor('demo');
      const other = adapterFor('demo-2');
      demo.setAccountFaults('demo', { rateLimited: { models: ['text-1'], retryAfterSeconds: 12 } });
      await assertRateLimited(reply(site.send(turn('text-1'), signal())), 12);
      assert.match(await reply(site.send(turn('vision-1'), signal())), /\nok$/);
      assert.match(await reply(other.send(turn('text-1'), signal())), /\nok$/);
    });

    test('a used-up per-account daily cap is kind rate_limit until its window resets', async () => {
      const site = adapterFor('demo');
      demo.setAccountFaults('demo', { dailyCap: { models: ['text-1'], limit: 1, resetSeconds: 40 } });
      assert.match(await reply(site.send(turn('text-1'), signal())), /\nok$/);
      await assert.rejects(reply(site.send(turn('text-1'), signal())), (error: unknown) => {
        assert.ok(error instanceof GatewayError && error.kind === 'rate_limit', String(error));
        assert.ok(
          error.retryAfterSeconds !== undefined &&
            error.retryAfterSeconds > 35 &&
            error.retryAfterSeconds <= 40,
          `retryAfterSeconds ${error.retryAfterSeconds}`,
        );
        return true;
      });
      assert.match(await reply(site.send(turn('fast-1', 'say ok'), signal())), /\nok/);
    });

    test("an account's captcha is NeedsLoginError, for that account only", async () => {
      const site = adapterFor('demo');
      const other = adapterFor('demo-2');
      demo.setAccountFaults('demo', { captcha: true });
      await assert.rejects(reply(site.send(turn('text-1'), signal())), NeedsLoginError);
      await assert.rejects(adapterFor('demo').login(signal()), NeedsLoginError);
      assert.match(await reply(other.send(turn('text-1'), signal())), /\nok$/);
    });
  });
}
