import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { collectEvents, replyText } from '../../../test/support/browser-fixture.ts';
import {
  type CarriedConnection,
  type HttpProxyServer,
  startHttpProxy,
} from '../../../test/support/http-proxy-server.ts';
import { type Socks5Server, startSocks5Server } from '../../../test/support/socks5-server.ts';
import { createLogger } from '../../core/logger.ts';
import type { Site } from '../../site-contract/site.ts';
import { DemoSiteConfigSchema } from './demo-site-config.ts';
import { demoSiteKind } from './demo-site-descriptor.ts';

const logger = createLogger('silent');

describe('the demo site over HTTP behind an account proxy', { timeout: 30_000 }, () => {
  let demo: DemoSite;
  let httpProxy: HttpProxyServer;
  let socks: Socks5Server;

  before(async () => {
    demo = await startDemoSite();
    [httpProxy, socks] = await Promise.all([
      startHttpProxy({ auth: { username: 'acct', password: 'pw' } }),
      startSocks5Server({ auth: { username: 'acct', password: 'pw' } }),
    ]);
  });

  after(async () => {
    await Promise.all([httpProxy?.close(), socks?.close(), demo?.close()]);
  });

  async function turnThrough(proxy: string, streaming: 'sse' | 'ws' = 'sse'): Promise<void> {
    const config = DemoSiteConfigSchema.parse({
      id: 'demo',
      kind: 'demo',
      embedded: false,
      baseUrl: demo.url,
      streaming,
    });
    const closers: Array<() => Promise<void>> = [];
    const site: Site = await demoSiteKind.create(config, {
      logger,
      dataDir: '/nonexistent',
      proxy,
      onClose: (close) => closers.push(close),
      embedded: () => undefined,
    });
    try {
      const events = await collectEvents(
        site.send(
          { model: 'text-1', text: 'hello through the proxy', attachments: [] },
          AbortSignal.timeout(15_000),
        ),
      );
      assert.match(replyText(events), /^\[text-1\] turn=1 /);
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    } finally {
      await site.close();
      for (const close of closers) await close();
    }
  }

  test('an HTTP proxy with auth carries the login and the turn', async () => {
    const relayed = httpProxy.relayed;
    await turnThrough(httpProxy.url);
    assert.ok(httpProxy.relayed > relayed, 'the proxy relayed nothing');
  });

  test('a SOCKS5 proxy with auth carries the login and the turn', async () => {
    const relayed = socks.relayed;
    await turnThrough(socks.url);
    assert.ok(socks.relayed > relayed, 'the SOCKS5 server relayed nothing');
  });

  /** The upgrade to the demo's /api/ws among the connections a proxy carried from `from` on. */
  const webSocketsIn = (tunnels: CarriedConnection[], from: number) =>
    tunnels
      .slice(from)
      .filter(
        (tunnel) => tunnel.target === new URL(demo.url).host && tunnel.firstLine === 'GET /api/ws HTTP/1.1',
      );

  test('streaming: ws — an HTTP proxy carries the WebSocket too', async () => {
    const from = httpProxy.tunnels.length;
    await turnThrough(httpProxy.url, 'ws');
    assert.equal(webSocketsIn(httpProxy.tunnels, from).length, 1, JSON.stringify(httpProxy.tunnels));
  });

  test('streaming: ws — a SOCKS5 proxy carries the WebSocket too', async () => {
    const from = socks.tunnels.length;
    await turnThrough(socks.url, 'ws');
    assert.equal(webSocketsIn(socks.tunnels, from).length, 1, JSON.stringify(socks.tunnels));
  });
});
