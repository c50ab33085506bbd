import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import {
  type CarriedConnection,
  type HttpProxyServer,
  startHttpProxy,
} from '../../../test/support/http-proxy-server.ts';
import { LOOPBACK_TLS } from '../../../test/support/loopback-tls.ts';
import { type Socks5Server, startSocks5Server } from '../../../test/support/socks5-server.ts';
import { GatewayError } from '../../core/errors.ts';
import { openWebSocket } from './open-websocket.ts';

const auth = { username: 'acct-7', password: 's3cr:et@pw' };

/** A WebSocket echo server (cookie echoed on open) that refuses /refused with a JSON 403. */
async function startEchoServer(
  server: Server,
  scheme: 'ws' | 'wss',
): Promise<{ url: string; upgrades: string[] }> {
  const upgrades: string[] = [];
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    upgrades.push(request.url ?? '');
    if (request.url === '/refused') {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"banned"}',
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.send(`cookie=${request.headers.cookie ?? ''}`);
      ws.on('message', (data) => ws.send(`echo:${String(data)}`));
    });
  });
  server.on('close', () => wss.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, upgrades };
}

/** Opens, reads the greeting, sends one frame, reads its echo, closes. */
async function roundTrip(socket: WebSocket): Promise<string[]> {
  const frames: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      frames.push(String(data));
      if (frames.length === 1) socket.send('hi');
      else {
        socket.close();
        resolve();
      }
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`unexpected ${response.statusCode}`)),
    );
  });
  await done;
  return frames;
}

function failureOf(socket: WebSocket): Promise<Error> {
  return new Promise((resolve, reject) => {
    socket.once('error', resolve);
    socket.once('open', () => reject(new Error('the socket opened')));
  });
}

describe('openWebSocket through an account proxy (loopback proxies)', { timeout: 30_000 }, () => {
  const servers: Server[] = [];
  let plain: { url: string; upgrades: string[] };
  let secure: { url: string; upgrades: string[] };
  let httpProxy: HttpProxyServer;
  let socks: Socks5Server;

  before(async () => {
    const http = createHttpServer();
    const https = createHttpsServer({ key: LOOPBACK_TLS.key, cert: LOOPBACK_TLS.cert });
    servers.push(http, https);
    [plain, secure, httpProxy, socks] = await Promise.all([
      startEchoServer(http, 'ws'),
      startEchoServer(https, 'wss'),
      startHttpProxy({ auth }),
      startSocks5Server({ auth }),
    ]);
  });

  after(async () => {
    await Promise.all([httpProxy?.close(), socks?.close()]);
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const hostOf = (url: string) => new URL(url).host;
  const since = (tunnels: CarriedConnection[], from: number) => tunnels.slice(from);

  test('without a proxy: a direct socket, headers sent as given', async () => {
    const [httpFrom, socksFrom] = [httpProxy.tunnels.length, socks.tunnels.length];
    const frames = await roundTrip(openWebSocket(`${plain.url}/ok`, { headers: { cookie: 'a=1' } }));
    assert.deepEqual(frames, ['cookie=a=1', 'echo:hi']);
    assert.equal(httpProxy.tunnels.length, httpFrom);
    assert.equal(socks.tunnels.length, socksFrom);
  });

  for (const kind of ['http', 'socks5'] as const) {
    const proxyOf = () => (kind === 'http' ? httpProxy : socks);

    test(`${kind} proxy: ws:// goes through the tunnel, handshake and frames`, async () => {
      const from = proxyOf().tunnels.length;
      const frames = await roundTrip(
        openWebSocket(`${plain.url}/ok`, { headers: { cookie: 'a=1' }, proxy: proxyOf().url }),
      );
      assert.deepEqual(frames, ['cookie=a=1', 'echo:hi']);
      assert.deepEqual(since(proxyOf().tunnels, from), [
        { target: hostOf(plain.url), firstLine: 'GET /ok HTTP/1.1' },
      ]);
    });

    test(`${kind} proxy: wss:// runs TLS to the site inside the tunnel`, async () => {
      const from = proxyOf().tunnels.length;
      const frames = await roundTrip(
        openWebSocket(`${secure.url}/ok`, { proxy: proxyOf().url, ca: LOOPBACK_TLS.cert }),
      );
      assert.deepEqual(frames, ['cookie=', 'echo:hi']);
      // The proxy saw the site's port and only TLS bytes.
      assert.deepEqual(since(proxyOf().tunnels, from), [{ target: hostOf(secure.url), firstLine: '' }]);
    });

    test(`${kind} proxy: a refused upgrade is still read (status and body)`, async () => {
      const socket = openWebSocket(`${plain.url}/refused`, { proxy: proxyOf().url });
      // ws reports the handshake it abandons as an error too.
      socket.on('error', () => undefined);
      const [, response] = (await once(socket, 'unexpected-response')) as [unknown, IncomingMessage];
      let body = '';
      for await (const chunk of response) body += String(chunk);
      assert.equal(response.statusCode, 403);
      assert.equal(body, '{"error":"banned"}');
      socket.terminate();
    });
  }

  test('a proxy that cannot be reached: an upstream error naming the proxy, password masked', async () => {
    const dead = `http://${auth.username}:${encodeURIComponent(auth.password)}@127.0.0.1:1`;
    const error = await failureOf(openWebSocket(`${plain.url}/ok`, { proxy: dead }));
    assert.ok(error instanceof GatewayError);
    assert.equal(error.kind, 'upstream');
    assert.match(
      error.message,
      /^Could not reach ws:\/\/127\.0\.0\.1:\d+ through the proxy http:\/\/acct-7:\*\*\*@127\.0\.0\.1:1: /,
    );
    assert.doesNotMatch(error.message, /s3cr/);
  });

  test('an HTTP proxy asking for credentials it was not given says so', async () => {
    const error = await failureOf(openWebSocket(`${plain.url}/ok`, { proxy: httpProxy.bareUrl }));
    assert.match(error.message, /it asks for credentials \(407 Proxy Authentication Required\)/);
  });

  test('wrong SOCKS5 credentials fail the socket', async () => {
    const wrong = socks.url.replace(encodeURIComponent(auth.password), 'nope');
    const error = await failureOf(openWebSocket(`${plain.url}/ok`, { proxy: wrong }));
    assert.ok(error instanceof GatewayError);
    assert.match(error.message, /through the proxy socks5:\/\/acct-7:\*\*\*@/);
  });

  test('closed while the tunnel opens: the socket closes and the site never sees the upgrade', async () => {
    const upgrades = plain.upgrades.length;
    const socket = openWebSocket(`${plain.url}/ok`, { proxy: socks.url });
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.terminate();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(plain.upgrades.length, upgrades);
  });
});
