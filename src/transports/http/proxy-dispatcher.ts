import { Agent, buildConnector, type Dispatcher, Pool, ProxyAgent, Socks5ProxyAgent } from 'undici';
import { GatewayError } from '../../core/errors.ts';
import { maskProxyUrl, parseProxyUrl } from '../proxy.ts';

export interface DispatcherOptions {
  /** The account's proxy URL (see src/transports/proxy.ts); direct connections without it. */
  proxy?: string;
  connectTimeoutMs: number;
}

// Streams may be silent for long stretches; the pipeline's own idle timeout governs them.
const STREAMING = { keepAliveTimeout: 30_000, bodyTimeout: 0, headersTimeout: 0 } as const;

/**
 * The undici dispatcher the HTTP transport sends through: a plain Agent, a ProxyAgent (HTTP or HTTPS
 * proxy; CONNECT tunnels for every target, Basic auth from the URL), or undici's Socks5ProxyAgent
 * (the proxy resolves the target's name, as socks5h does; user/password auth from the URL). The
 * connect timeout covers reaching the proxy, and for an HTTP proxy its answer to CONNECT too.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const timeout = options.connectTimeoutMs;
  if (!options.proxy) return new Agent({ connect: { timeout }, ...STREAMING });
  const proxy = parseProxyUrl(options.proxy);
  if (proxy.protocol === 'http:' || proxy.protocol === 'https:') {
    return new ProxyAgent({
      uri: options.proxy,
      proxyTls: { timeout },
      clientFactory: (origin, opts) => new Pool(origin, { ...opts, headersTimeout: timeout }),
      ...STREAMING,
    });
  }
  // Its per-origin pools ignore pool options, so the streaming timeouts ride on each request instead.
  return createSocks5Agent(options.proxy, timeout).compose(
    (dispatch) => (opts, handler) =>
      dispatch(
        { ...opts, bodyTimeout: STREAMING.bodyTimeout, headersTimeout: STREAMING.headersTimeout },
        handler,
      ),
  );
}

/**
 * undici's SOCKS5 agent for a `socks5://` or `socks5h://` URL (it takes socks5: only; both let the
 * proxy resolve the name). The connect timeout covers reaching the proxy.
 */
export function createSocks5Agent(proxy: string, connectTimeoutMs: number): Socks5ProxyAgent {
  return new Socks5ProxyAgent(proxy.replace(/^socks5h:/i, 'socks5:'), {
    connect: buildConnector({ timeout: connectTimeoutMs }),
  });
}

/**
 * A request that failed before any response while a proxy was set: the gateway error names the
 * proxy (password masked) and what went wrong, so a dead or misconfigured proxy is recognisable.
 */
export function proxyFailure(error: unknown, proxy: string, url: string): GatewayError {
  const reason = describe(error);
  const detail = /\(407\)/.test(reason)
    ? parseProxyUrl(proxy).username
      ? 'it refused the credentials (407 Proxy Authentication Required)'
      : 'it asks for credentials (407 Proxy Authentication Required); put user:password@ in the proxy URL'
    : reason;
  return new GatewayError(
    'upstream',
    `Could not reach ${new URL(url).origin} through the proxy ${maskProxyUrl(proxy)}: ${detail}`,
    { cause: error },
  );
}

function describe(error: unknown): string {
  // fetch() wraps the network error as "fetch failed"; the cause says what happened.
  const inner =
    error instanceof TypeError && error.message === 'fetch failed' && error.cause ? error.cause : error;
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as { code?: unknown }).code;
  if (inner.message) return inner.message;
  if (inner instanceof AggregateError && inner.errors[0] instanceof Error) return describe(inner.errors[0]);
  return typeof code === 'string' ? code : inner.name;
}
