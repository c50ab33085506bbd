/**
 * Proxy URLs as the transports take them: one account's `http://`, `https://`, `socks5://` or
 * `socks5h://` proxy, with optional `user:password@` (percent-encoded where needed), a host and a port.
 * The config and admin schemas (src/sites/kit/proxy-url.ts) validate with the same parser.
 */

export type ProxyProtocol = 'http:' | 'https:' | 'socks5:' | 'socks5h:';

export interface ParsedProxy {
  protocol: ProxyProtocol;
  /** `host:port` as in the URL (IPv6 hosts in brackets). */
  host: string;
  hostname: string;
  port: number;
  /** Decoded; both present or both absent. */
  username?: string;
  password?: string;
}

export const PROXY_URL_FORMS =
  'http://[user:password@]host:port, https://[user:password@]host:port, socks5://[user:password@]host:port or socks5h://[user:password@]host:port';

const PROTOCOLS = new Set<string>(['http:', 'https:', 'socks5:', 'socks5h:']);

/** Parses a proxy URL, or throws an error saying what is wrong and which forms are accepted. */
export function parseProxyUrl(value: string): ParsedProxy {
  const fail = (why: string): never => {
    throw new Error(`${why}; a proxy is ${PROXY_URL_FORMS}.`);
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('Not a URL');
  }
  if (!PROTOCOLS.has(url.protocol)) fail(`Unsupported proxy scheme '${url.protocol.replace(/:$/, '')}'`);
  if (!url.hostname) fail('The proxy URL has no host');
  if (!hasExplicitPort(value)) fail('The proxy URL needs an explicit port');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash)
    fail('The proxy URL may not have a path, query or fragment');
  if (Boolean(url.username) !== Boolean(url.password))
    fail('The proxy URL needs both a user and a password, or neither');
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = url.username ? decodeURIComponent(url.username) : undefined;
    password = url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    fail('The proxy credentials are not validly percent-encoded');
  }
  return {
    protocol: url.protocol as ProxyProtocol,
    host: url.host,
    hostname: url.hostname,
    // The URL parser drops a scheme's default port (80, 443); it was given, though.
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ...(username !== undefined && password !== undefined ? { username, password } : {}),
  };
}

/** Whether the URL names its port (the parser drops a scheme's default one). */
function hasExplicitPort(value: string): boolean {
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?#]/)[0] ?? '';
  return /:\d+$/.test(authority.slice(authority.lastIndexOf('@') + 1));
}

/**
 * The proxy URL with its password replaced by `***`, for logs, errors and admin output. Works on the
 * text (the URL as given, default port included), and on values that are not valid URLs too: the
 * password is whatever lies between the user's `:` and the last `@`.
 */
export function maskProxyUrl(value: string): string {
  const start = value.indexOf('//');
  const at = value.lastIndexOf('@');
  if (start < 0 || at < start) return value;
  const userinfo = value.slice(start + 2, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return value;
  return `${value.slice(0, start + 2)}${userinfo.slice(0, colon)}:***${value.slice(at)}`;
}

export interface BrowserProxySettings {
  server: string;
  username?: string;
  password?: string;
  bypass: string;
}

/**
 * Playwright's per-context `proxy` option for a proxy URL. Chromium's implicit bypass of loopback
 * hosts is switched off (`<-loopback>`), so everything the account's pages load goes through the
 * proxy. Chromium cannot log in to a SOCKS5 proxy, so such a URL with credentials is refused.
 */
export function browserProxySettings(value: string): BrowserProxySettings {
  const proxy = parseProxyUrl(value);
  const socks = proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:';
  if (socks && proxy.username) {
    throw new Error(
      `Chromium cannot log in to a SOCKS5 proxy (${maskProxyUrl(value)}): give a browser account an http:// or https:// proxy, or a SOCKS5 proxy without credentials.`,
    );
  }
  return {
    // Chromium resolves names at a SOCKS5 proxy anyway and knows no `socks5h` scheme.
    server: `${socks ? 'socks5:' : proxy.protocol}//${proxy.host}`,
    ...(proxy.username ? { username: proxy.username, password: proxy.password } : {}),
    bypass: '<-loopback>',
  };
}
