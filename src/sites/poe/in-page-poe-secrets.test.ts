import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { createLogger } from '../../core/logger.ts';
import type { BrowserAccount } from '../../transports/browser/browser-account.ts';
import { readFixture } from '../kit/replay-fixture.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';
import { createPoeWebSite } from './create-poe-web-site.ts';
import { readPoeSecretsInPage } from './in-page-poe-secrets.ts';
import { PoeWebSiteConfigSchema } from './poe-web-config.ts';

const FIXTURES = new URL('./__fixtures__/', import.meta.url);
const NEXT_DATA =
  /<script id="__NEXT_DATA__"[^>]*>([\s\S]*?)<\/script>/.exec(readFixture(FIXTURES, 'homepage.html'))?.[1] ??
  '';

/** The slice of a Playwright page the provider uses: reload fires the page's own GraphQL request. */
class FakePage extends EventEmitter {
  released = 0;
  constructor(private readonly formkey: string | undefined) {
    super();
  }
  async reload(): Promise<void> {
    if (this.formkey)
      setTimeout(() => this.emit('request', { headers: () => ({ 'poe-formkey': this.formkey ?? '' }) }), 10);
  }
  async evaluate(): Promise<string> {
    return NEXT_DATA;
  }
}

function accountWith(page: FakePage): Pick<BrowserAccount, 'acquirePage'> {
  return {
    acquirePage: async () =>
      ({
        page,
        release: () => {
          page.released++;
        },
      }) as unknown as Awaited<ReturnType<BrowserAccount['acquirePage']>>,
  };
}

describe('Poe secrets read in the logged-in page', () => {
  test('the formkey comes off the page’s own GraphQL request; channel and build id from __NEXT_DATA__', async () => {
    const page = new FakePage('page-computed-formkey');
    const secrets = await readPoeSecretsInPage(accountWith(page))(AbortSignal.timeout(5_000));
    assert.equal(secrets.formkey, 'page-computed-formkey');
    assert.equal(secrets.revision, 'fixtureBuild-2026');
    assert.equal(secrets.tchannel.channel, 'poe-chan-fixture');
    assert.equal(page.released, 1, 'the page goes back to the pool');
  });

  test('a page that makes no GraphQL call: a clear needs-login, unless the formkey is configured', async () => {
    await assert.rejects(
      readPoeSecretsInPage(accountWith(new FakePage(undefined)), { timeoutMs: 50 })(
        AbortSignal.timeout(5_000),
      ),
      (e: unknown) => e instanceof NeedsLoginError && /formkey/.test(e.message),
    );
    const secrets = await readPoeSecretsInPage(accountWith(new FakePage(undefined)), {
      formkey: 'configured',
    })(AbortSignal.timeout(5_000));
    assert.equal(secrets.formkey, 'configured');
  });

  test('transport: browser without the gateway’s browser is a config error', async () => {
    await assert.rejects(
      createPoeWebSite(PoeWebSiteConfigSchema.parse({ id: 'poe', kind: 'poe-web', transport: 'browser' }), {
        logger: createLogger('silent'),
      }),
      /browser transport/,
    );
  });
});
