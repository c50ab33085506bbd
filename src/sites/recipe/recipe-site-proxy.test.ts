import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import {
  type CarriedConnection,
  type HttpProxyServer,
  startHttpProxy,
} from '../../../test/support/http-proxy-server.ts';
import { type Socks5Server, startSocks5Server } from '../../../test/support/socks5-server.ts';
import { createLogger } from '../../core/logger.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { createRecipeSite } from './create-recipe-site.ts';
import { RecipeSiteConfigSchema } from './recipe-site-config.ts';

const auth = { username: 'acct', password: 'pw' };
const recipe = new URL('../../../recipes/demo-api-ws.yaml', import.meta.url).pathname;

describe('a recipe websocket stream behind an account proxy (demo site)', { timeout: 30_000 }, () => {
  let demo: DemoSite;
  let httpProxy: HttpProxyServer;
  let socks: Socks5Server;

  before(async () => {
    [demo, httpProxy, socks] = await Promise.all([
      startDemoSite(),
      startHttpProxy({ auth }),
      startSocks5Server({ auth }),
    ]);
  });
  after(async () => {
    await Promise.all([httpProxy?.close(), socks?.close(), demo?.close()]);
  });

  async function replyThrough(proxy: string): Promise<SiteEvent[]> {
    const config = RecipeSiteConfigSchema.parse({
      id: 'demo-recipe',
      kind: 'recipe',
      recipe,
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      watch: false,
    });
    const site = await createRecipeSite(config, { logger: createLogger('silent'), proxy });
    try {
      const events: SiteEvent[] = [];
      for await (const event of site.send(
        { model: 'text-1', text: 'hello through the proxy', attachments: [] },
        AbortSignal.timeout(10_000),
      ))
        events.push(event);
      return events;
    } finally {
      await site.close();
    }
  }

  const webSocketsIn = (tunnels: CarriedConnection[], from: number) =>
    tunnels
      .slice(from)
      .filter(
        (tunnel) => tunnel.target === new URL(demo.url).host && tunnel.firstLine === 'GET /api/ws HTTP/1.1',
      );

  for (const kind of ['http', 'socks5'] as const) {
    test(`the ${kind} proxy carries the reply's WebSocket`, async () => {
      const proxy = kind === 'http' ? httpProxy : socks;
      const from = proxy.tunnels.length;
      const events = await replyThrough(proxy.url);
      assert.match(events.map((e) => (e.type === 'text' ? e.delta : '')).join(''), /^\[text-1\] turn=1 /);
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
      assert.equal(webSocketsIn(proxy.tunnels, from).length, 1, JSON.stringify(proxy.tunnels.slice(from)));
    });
  }
});
