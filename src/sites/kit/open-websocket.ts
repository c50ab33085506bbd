import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import WebSocket, { type ClientOptions } from 'ws';
import { proxyFailure } from '../../transports/http/proxy-dispatcher.ts';
import { openProxyTunnel } from '../../transports/http/proxy-tunnel.ts';

export interface OpenWebSocketOptions extends Omit<ClientOptions, 'agent' | 'createConnection'> {
  /** The account's proxy (src/transports/proxy.ts); the socket connects directly without it. */
  proxy?: string | undefined;
  /** Reaching the proxy, and for an HTTP proxy its answer to CONNECT; 10 s as in the HTTP transport. */
  connectTimeoutMs?: number;
}

type Connected = (error: Error | null, socket?: Duplex) => void;

/**
 * A `ws` client socket for an adapter, through the account's proxy when it has one. The handshake
 * and every frame ride a tunnel to the site (HTTP CONNECT or SOCKS5, the HTTP transport's own), with
 * TLS to the site inside it for wss://. Everything else is plain `ws`: the same events, so a refused
 * upgrade is still `unexpected-response` with its status and body. A tunnel that cannot be opened is
 * an `error` event carrying an `upstream` GatewayError that names the proxy, password masked.
 */
export function openWebSocket(url: string, options: OpenWebSocketOptions = {}): WebSocket {
  const { proxy, connectTimeoutMs = 10_000, ...init } = options;
  if (!proxy) return new WebSocket(url, init);
  const secure = /^(wss|https):/i.test(url);
  // ws hands these to http(s).request, which also takes a socket given later through the callback.
  const createConnection = (connect: ConnectionOptions & { host: string; port: number }, done: Connected) => {
    openProxyTunnel({ proxy, host: connect.host, port: Number(connect.port), connectTimeoutMs }).then(
      (tunnel) => {
        if (!secure) return done(null, tunnel);
        const servername = connect.servername ?? (isIP(connect.host) ? '' : connect.host);
        done(null, connectTls({ ...connect, path: undefined, socket: tunnel, servername }));
      },
      (error: unknown) => done(proxyFailure(error, proxy, url)),
    );
    return undefined;
  };
  return new WebSocket(url, {
    ...init,
    // @types/ws only knows net.createConnection's synchronous form.
    createConnection: createConnection as unknown as ClientOptions['createConnection'],
  });
}
