import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/** One connection a test proxy relayed. */
export interface CarriedConnection {
  /** `host:port` the proxy connected to (for forwarded requests, the URL's host). */
  target: string;
  /** The first HTTP request line the client sent through it (`GET /api/ws HTTP/1.1`); '' for TLS. */
  firstLine: string;
}

/** The request line at the start of what a client sent, or '' (TLS, nothing yet). */
export function requestLineOf(bytes: Buffer): string {
  return /^[A-Z]+ \S+ HTTP\/1\.[01]/.exec(bytes.subarray(0, 2048).toString('latin1'))?.[0] ?? '';
}

export interface HttpProxyServer {
  /** `http://127.0.0.1:<port>`, or with the credentials when the proxy asks for some. */
  url: string;
  /** The same URL without credentials (for the auth-required case). */
  bareUrl: string;
  /** Connections relayed: CONNECT tunnels opened plus plain requests forwarded. */
  relayed: number;
  /** Requests refused with 407. */
  refused: number;
  /** What each relayed connection carried, in order. */
  tunnels: CarriedConnection[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy for tests: CONNECT tunnels (what undici's ProxyAgent and Chromium use for
 * https, undici for http too) and absolute-URI forwarding (what Chromium uses for http), with
 * optional Basic auth.
 */
export async function startHttpProxy(
  options: { auth?: { username: string; password: string } } = {},
): Promise<HttpProxyServer> {
  const expected = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
    : undefined;
  const sockets = new Set<Socket>();
  const allowed = (request: IncomingMessage) =>
    !expected || request.headers['proxy-authorization'] === expected;

  const server = createServer((request, response) => {
    if (!allowed(request)) {
      state.refused++;
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', connection: 'close' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400).end('absolute URI expected');
      return;
    }
    state.relayed++;
    state.tunnels.push({ target: target.host, firstLine: `${request.method} ${request.url} HTTP/1.1` });
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(target, { method: request.method, headers }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });

  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    if (!allowed(request)) {
      state.refused++;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const [host, port] = splitHostPort(request.url ?? '');
    const upstream = connect(port, host, () => {
      state.relayed++;
      const carried: CarriedConnection = { target: request.url ?? '', firstLine: requestLineOf(head) };
      state.tunnels.push(carried);
      if (head.length === 0)
        client.once('data', (chunk: Buffer) => {
          carried.firstLine = requestLineOf(chunk);
        });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not listen');
  const bareUrl = `http://127.0.0.1:${address.port}`;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.username)}:${encodeURIComponent(options.auth.password)}@`
    : '';
  const state: HttpProxyServer = {
    url: `http://${credentials}127.0.0.1:${address.port}`,
    bareUrl,
    relayed: 0,
    refused: 0,
    tunnels: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

function splitHostPort(authority: string): [string, number] {
  const at = authority.lastIndexOf(':');
  const host = authority.slice(0, at).replace(/^\[|\]$/g, '');
  return [host, Number(authority.slice(at + 1))];
}
