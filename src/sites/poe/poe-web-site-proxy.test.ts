import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type CarriedConnection,
  type HttpProxyServer,
  startHttpProxy,
} from '../../../test/support/http-proxy-server.ts';
import { type Socks5Server, startSocks5Server } from '../../../test/support/socks5-server.ts';
import { createLogger } from '../../core/logger.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { createPoeWebSite } from './create-poe-web-site.ts';
import { FAKE_POE_FORMKEY, FAKE_POE_PB, type FakePoeServer, startFakePoeServer } from './fake-poe-server.ts';
import { PoeWebSiteConfigSchema } from './poe-web-config.ts';

const auth = { username: 'acct', password: 'pw' };

describe('Poe web site behind an account proxy (fake poe.com, loopback proxies)', { timeout: 30_000 }, () => {
  let fake: FakePoeServer;
  let httpProxy: HttpProxyServer;
  let socks: Socks5Server;

  before(async () => {
    [fake, httpProxy, socks] = await Promise.all([
      startFakePoeServer(),
      startHttpProxy({ auth }),
      startSocks5Server({ auth }),
    ]);
  });
  after(async () => {
    await Promise.all([httpProxy?.close(), socks?.close(), fake?.close()]);
  });

  async function replyThrough(proxy: string): Promise<string> {
    const site = await createPoeWebSite(
      PoeWebSiteConfigSchema.parse({
        id: 'poe',
        kind: 'poe-web',
        baseUrl: fake.url,
        pBEnv: 'POE_PB',
        formkeyEnv: 'POE_FORMKEY',
        replyIdleMs: 3_000,
      }),
      {
        logger: createLogger('silent'),
        env: { POE_PB: FAKE_POE_PB, POE_FORMKEY: FAKE_POE_FORMKEY },
        channelUrl: (t) => fake.channelUrl(t),
        proxy,
      },
    );
    try {
      const events: SiteEvent[] = [];
      for await (const event of site.send(
        { model: 'GPT-4o', text: 'Reply with the word PINEAPPLE', attachments: [] },
        AbortSignal.timeout(10_000),
      ))
        events.push(event);
      return events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
    } finally {
      await site.close();
    }
  }

  /** The update channel's upgrades among the connections a proxy carried from `from` on. */
  const channelsIn = (tunnels: CarriedConnection[], from: number) =>
    tunnels
      .slice(from)
      .filter(
        (tunnel) =>
          tunnel.target === new URL(fake.url).host && /^GET \/up\/[^/]+\/updates\?/.test(tunnel.firstLine),
      );

  for (const kind of ['http', 'socks5'] as const) {
    test(`the update channel goes through the ${kind} proxy with the GraphQL requests`, async () => {
      const proxy = kind === 'http' ? httpProxy : socks;
      const from = proxy.tunnels.length;
      assert.equal(await replyThrough(proxy.url), 'PINEAPPLE');
      assert.equal(channelsIn(proxy.tunnels, from).length, 1, JSON.stringify(proxy.tunnels.slice(from)));
    });
  }
});
