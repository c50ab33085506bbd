import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type HttpProxyServer, startHttpProxy } from '../../../test/support/http-proxy-server.ts';
import { type Socks5Server, startSocks5Server } from '../../../test/support/socks5-server.ts';
import { GatewayError } from '../../core/errors.ts';
import { HttpTransport } from './http-transport.ts';

const auth = { username: 'acct-7', password: 's3cr:et@pw' };

describe('HttpTransport through a proxy (loopback proxies)', { timeout: 30_000 }, () => {
  let target: Server;
  let targetUrl: string;
  let served = 0;
  let httpProxy: HttpProxyServer;
  let httpAuthProxy: HttpProxyServer;
  let socks: Socks5Server;
  let socksAuth: Socks5Server;

  before(async () => {
    target = createHttpServer((request, response) => {
      served++;
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        response.setHeader('set-cookie', 'seen=yes; Path=/');
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ method: request.method, path: request.url, body }));
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const address = target.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    targetUrl = `http://127.0.0.1:${address.port}`;
    [httpProxy, httpAuthProxy, socks, socksAuth] = await Promise.all([
      startHttpProxy(),
      startHttpProxy({ auth }),
      startSocks5Server(),
      startSocks5Server({ auth }),
    ]);
  });

  after(async () => {
    await Promise.all([httpProxy, httpAuthProxy, socks, socksAuth].map((proxy) => proxy?.close()));
    await new Promise<void>((resolve) => target?.close(() => resolve()));
  });

  async function roundTrip(proxy: string): Promise<void> {
    const transport = new HttpTransport({ proxy });
    try {
      const before = served;
      const response = await transport.fetch(`${targetUrl}/hello?x=1`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { method: 'GET', path: '/hello?x=1', body: '' });
      assert.deepEqual(await transport.cookies(targetUrl), { seen: 'yes' });
      // Multipart goes through fetch rather than request(): the same dispatcher, the same proxy.
      const form = new FormData();
      form.append('note', 'hi');
      const posted = await transport.fetch(`${targetUrl}/upload`, { method: 'POST', body: form });
      assert.equal(posted.status, 200);
      assert.match(((await posted.json()) as { body: string }).body, /name="note"\r\n\r\nhi/);
      assert.equal(served, before + 2);
    } finally {
      await transport.close();
    }
  }

  test('an HTTP proxy relays the requests', async () => {
    const relayed = httpProxy.relayed;
    await roundTrip(httpProxy.url);
    assert.ok(httpProxy.relayed > relayed, 'the proxy relayed nothing');
  });

  test('an HTTP proxy asking for Basic auth: works with the credentials in the URL', async () => {
    const relayed = httpAuthProxy.relayed;
    await roundTrip(httpAuthProxy.url);
    assert.ok(httpAuthProxy.relayed > relayed);
  });

  test('an HTTP proxy asking for auth, no credentials given: a clear error naming the proxy', async () => {
    const transport = new HttpTransport({ proxy: httpAuthProxy.bareUrl });
    const refused = httpAuthProxy.refused;
    await assert.rejects(transport.fetch(`${targetUrl}/`), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.kind, 'upstream');
      assert.ok(error.message.includes(httpAuthProxy.bareUrl), error.message);
      assert.match(error.message, /asks for credentials \(407/);
      return true;
    });
    assert.ok(httpAuthProxy.refused > refused);
    await transport.close();
  });

  test('wrong proxy credentials: refused, and the password never shows', async () => {
    const proxy = httpAuthProxy.url.replace(encodeURIComponent(auth.password), 'wrong-pass');
    const transport = new HttpTransport({ proxy });
    await assert.rejects(transport.fetch(`${targetUrl}/`), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.match(error.message, /refused the credentials \(407/);
      assert.ok(error.message.includes('acct-7:***@127.0.0.1'), error.message);
      assert.doesNotMatch(error.message, /wrong-pass/);
      return true;
    });
    await transport.close();
  });

  test('a SOCKS5 proxy relays the requests (socks5 and socks5h)', async () => {
    const relayed = socks.relayed;
    await roundTrip(socks.url);
    await roundTrip(socks.url.replace('socks5:', 'socks5h:'));
    assert.ok(socks.relayed >= relayed + 2, 'the SOCKS5 server relayed nothing');
  });

  test('a SOCKS5 proxy with username/password: works with them, fails clearly without', async () => {
    const relayed = socksAuth.relayed;
    await roundTrip(socksAuth.url);
    assert.ok(socksAuth.relayed > relayed);

    const bare = socksAuth.url.replace(/\/\/.*@/, '//');
    const transport = new HttpTransport({ proxy: bare });
    await assert.rejects(transport.fetch(`${targetUrl}/`), (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.ok(error.message.includes(bare), error.message);
      assert.match(error.message, /authentication method/i);
      return true;
    });
    await transport.close();
  });

  test('an unreachable proxy fails fast, naming the proxy with its password masked', async () => {
    const port = await closedPort();
    for (const scheme of ['http', 'socks5']) {
      const transport = new HttpTransport({ proxy: `${scheme}://acct-7:hunter2@127.0.0.1:${port}` });
      const started = Date.now();
      await assert.rejects(transport.fetch(`${targetUrl}/`), (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.ok(error.message.includes(`${scheme}://acct-7:***@127.0.0.1:${port}`), error.message);
        assert.match(error.message, /ECONNREFUSED/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
      assert.ok(Date.now() - started < 3_000, `${scheme}: took ${Date.now() - started} ms`);
      await transport.close();
    }
  });

  test('an HTTP proxy that accepts but never answers CONNECT times out at the connect timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const transport = new HttpTransport({ proxy: `http://127.0.0.1:${port}`, connectTimeoutMs: 500 });
    const started = Date.now();
    try {
      await assert.rejects(transport.fetch(`${targetUrl}/`), (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.ok(error.message.includes(`http://127.0.0.1:${port}`), error.message);
        return true;
      });
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    } finally {
      await transport.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('an aborted request through a proxy stays an abort', async () => {
    const transport = new HttpTransport({ proxy: httpProxy.url });
    await assert.rejects(
      transport.fetch(`${targetUrl}/`, { signal: AbortSignal.abort() }),
      (error: unknown) => !(error instanceof GatewayError),
    );
    await transport.close();
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
