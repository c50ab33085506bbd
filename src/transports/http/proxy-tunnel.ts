import type { Duplex } from 'node:stream';
import { Client } from 'undici';
import { parseProxyUrl } from '../proxy.ts';
import { createSocks5Agent } from './proxy-dispatcher.ts';

export interface ProxyTunnelOptions {
  /** The account's proxy URL (see src/transports/proxy.ts). */
  proxy: string;
  /** The target's host name (the proxy resolves it) or IP address, and its port. */
  host: string;
  port: number;
  /** Reaching the proxy, and for an HTTP proxy its answer to CONNECT. */
  connectTimeoutMs: number;
}

/** The part of undici's Socks5ProxyAgent that opens one tunnel; its dispatcher uses it for every pool. */
interface Socks5Tunnels {
  createSocks5Connection(host: string, port: number): Promise<Duplex>;
}

/**
 * A raw byte stream to `host:port` through the account's proxy, for connections undici's dispatcher
 * cannot carry (WebSockets opened with `ws`). The tunnel is the one the HTTP transport's dispatcher
 * opens: a CONNECT sent by an undici Client with ProxyAgent's Basic auth from the URL, or undici's
 * SOCKS5 handshake. Failures read like the dispatcher's, so `proxyFailure` describes both.
 */
export async function openProxyTunnel(options: ProxyTunnelOptions): Promise<Duplex> {
  const proxy = parseProxyUrl(options.proxy);
  const timeout = options.connectTimeoutMs;
  if (proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:') {
    // Not in undici's types, but the pinned 7.x dispatcher tunnels every SOCKS5 pool with it.
    const agent = createSocks5Agent(options.proxy, timeout) as unknown as Socks5Tunnels;
    return agent.createSocks5Connection(options.host, options.port);
  }
  const authority = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  const client = new Client(`${proxy.protocol}//${proxy.host}`, {
    connect: { timeout },
    headersTimeout: timeout,
  });
  try {
    const { statusCode, socket } = await client.connect({
      path: authority,
      headers: {
        host: authority,
        ...(proxy.username
          ? {
              'proxy-authorization': `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`,
            }
          : {}),
      },
    });
    if (statusCode !== 200) {
      socket.on('error', () => undefined).destroy();
      // ProxyAgent's wording, which proxyFailure recognises (407 asks for credentials).
      throw new Error(`Proxy response (${statusCode}) !== 200 when HTTP Tunneling`);
    }
    return socket;
  } finally {
    // The tunnel's socket has left the client; closing it ends nothing but the client.
    void client.close().catch(() => undefined);
  }
}
