import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { GatewayError } from '../../../core/errors.ts';
import { AccountDisabledError } from '../../../site-contract/site-errors.ts';
import type { Site, SiteTurn } from '../../../site-contract/site.ts';
import {
  type BrowserFixture,
  collectEvents,
  replyText,
  startBrowserFixture,
} from '../../../../test/support/browser-fixture.ts';
import { createDemoBrowserSite, type DemoBrowserMode } from './create-demo-browser-site.ts';

const TEST_TIMEOUT = 60_000;
const VARIANTS: Array<{ mode: DemoBrowserMode; streaming: 'sse' | 'ws' }> = [
  { mode: 'in-page-fetch', streaming: 'sse' },
  { mode: 'network-capture', streaming: 'sse' },
  { mode: 'network-capture', streaming: 'ws' },
  { mode: 'dom', streaming: 'sse' },
];

const signal = () => AbortSignal.timeout(20_000);
const turn = (model: string, text: string): SiteTurn => ({ model, text, attachments: [] });

function assertDisabled(reason: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AccountDisabledError, String(error));
    assert.match(error.reason, reason);
    return true;
  };
}

describe('per-account demo faults through the browser (real Chromium)', { timeout: 600_000 }, () => {
  let fixture: BrowserFixture;

  before(async () => {
    fixture = await startBrowserFixture({ demo: { logLevel: 'silent' } });
  });
  afterEach(() => fixture.demo.reset());
  after(async () => {
    await fixture?.close();
  });

  for (const { mode, streaming } of VARIANTS) {
    describe(`${mode} over ${streaming}`, () => {
      let site: Site;

      before(async () => {
        site = createDemoBrowserSite({
          id: 'demo',
          accountId: `faults-${mode}-${streaming}`,
          baseUrl: fixture.demo.url,
          credentials: { username: 'demo-2', password: 'demo-2-password' },
          streaming,
          mode,
          manager: fixture.manager,
          logger: fixture.logger,
        });
        await site.listModels();
      });
      after(async () => {
        await site?.close();
      });

      test('a per-account rate limit is kind rate_limit with the Retry-After; other models still answer', {
        timeout: TEST_TIMEOUT,
      }, async () => {
        fixture.demo.setAccountFaults('demo-2', {
          rateLimited: { models: ['text-1'], retryAfterSeconds: 9 },
        });
        await assert.rejects(collectEvents(site.send(turn('text-1', 'say limited'), signal())), (error) => {
          assert.ok(error instanceof GatewayError, String(error));
          assert.equal(error.kind, 'rate_limit');
          assert.equal(error.retryAfterSeconds, 9);
          return true;
        });
        const other = await collectEvents(site.send(turn('vision-1', 'say fine'), signal()));
        assert.match(replyText(other), /\nfine$/);
      });

      test('a banned account is AccountDisabledError: on its open page, on a fresh page and at login', {
        timeout: TEST_TIMEOUT,
      }, async () => {
        assert.match(
          replyText(await collectEvents(site.send(turn('text-1', 'say warm'), signal()))),
          /\nwarm$/,
        );
        fixture.demo.setAccountFaults('demo-2', { banned: 'terms of service' });
        const reason = /suspended: terms of service/;
        // The page the last turn used (UI modes: it was given back warm) meets the API's 403.
        await assert.rejects(
          collectEvents(site.send(turn('text-1', 'say hi'), signal())),
          assertDisabled(reason),
        );
        // A failed turn's page is closed: the next one loads the app and gets the suspended page.
        await assert.rejects(
          collectEvents(site.send(turn('text-1', 'say hi'), signal())),
          assertDisabled(reason),
        );
        await assert.rejects(site.checkSession(signal()), assertDisabled(reason));
        await assert.rejects(site.login(signal()), assertDisabled(reason));

        fixture.demo.setAccountFaults('demo-2', {});
        const back = await collectEvents(site.send(turn('text-1', 'say back'), signal()));
        assert.match(replyText(back), /\nback$/, 'logs in again once unbanned');
      });
    });
  }
});
