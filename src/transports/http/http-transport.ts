import { CookieJar } from 'tough-cookie';
import {
  type Dispatcher,
  FormData as UndiciFormData,
  request as undiciRequest,
  fetch as undiciFetch,
} from 'undici';
import type { Transport, TransportRequest, TransportResponse } from '../transport.ts';
import { createDispatcher, proxyFailure } from './proxy-dispatcher.ts';

export interface SeededCookie {
  name: string;
  value: string;
}

export interface HttpTransportOptions {
  /** Sent on every request (a realistic browser user agent by default). */
  userAgent?: string;
  /** Reaching the site, or the proxy (and, for an HTTP proxy, its answer to CONNECT). 10 s by default. */
  connectTimeoutMs?: number;
  /**
   * Session cookies the user copied from their browser (`hf-chat`, Poe's `p-b`…), for sites logged
   * in by cookie: the jar starts with them and `clearSession` goes back to them, as they are the login.
   */
  initialCookies?: { url: string; cookies: SeededCookie[] };
  /**
   * The account's proxy: `http://`, `https://`, `socks5://` or `socks5h://`, optionally with
   * `user:password@` (src/transports/proxy.ts). Every request goes through it; a request that fails
   * before any response then throws an `upstream` GatewayError naming the proxy, password masked.
   */
  proxy?: string;
}

const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** Plain HTTP to the site with undici and a cookie jar, as a logged-in browser tab would hold. */
export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  #jar = new CookieJar();
  readonly #agent: Dispatcher;
  readonly #proxy: string | undefined;
  readonly #userAgent: string;
  readonly #seed: HttpTransportOptions['initialCookies'];
  #seeded: Promise<void>;

  constructor(options: HttpTransportOptions = {}) {
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#seed = options.initialCookies;
    this.#seeded = this.#plant();
    this.#proxy = options.proxy;
    this.#agent = createDispatcher({
      proxy: options.proxy,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    });
  }

  async #plant(): Promise<void> {
    if (!this.#seed) return;
    const { hostname, protocol } = new URL(this.#seed.url);
    // Domain-wide so the site's API subdomains see them as the browser would; IPs and localhost
    // take host-only cookies.
    const isHostOnly = hostname === 'localhost' || /^[\d.]+$/.test(hostname) || hostname.includes(':');
    const domain = isHostOnly ? '' : `; Domain=${hostname}`;
    for (const cookie of this.#seed.cookies) {
      await this.#jar.setCookie(
        `${cookie.name}=${cookie.value}${domain}; Path=/${protocol === 'https:' ? '; Secure' : ''}`,
        this.#seed.url,
        { ignoreError: true },
      );
    }
  }

  /** Adds or replaces a cookie the site gave out of band (Qwen's `token` cookie after sign-in). */
  async setCookie(url: string, name: string, value: string): Promise<void> {
    await this.#seeded;
    const { protocol } = new URL(url);
    await this.#jar.setCookie(`${name}=${value}; Path=/${protocol === 'https:' ? '; Secure' : ''}`, url, {
      ignoreError: true,
    });
  }

  async fetch(url: string, request: TransportRequest = {}): Promise<TransportResponse> {
    await this.#seeded;
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...(request.headers ?? {}) };
    const cookie = await this.#jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    // Multipart bodies go through fetch, which encodes FormData; everything else through undici's
    // lower-level request API, which streams the same bytes with far less overhead per chunk.
    if (request.body instanceof FormData) return this.#viaFetch(url, request, headers);
    const response = await undiciRequest(url, {
      method: (request.method ?? 'GET') as 'GET',
      headers,
      body: request.body,
      signal: request.signal,
      dispatcher: this.#agent,
    }).catch((error: unknown) => this.#failed(error, url, request.signal));
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
    }
    for (const setCookie of responseHeaders.getSetCookie()) {
      await this.#jar.setCookie(setCookie, url, { ignoreError: true });
    }
    const body = response.body;
    return {
      status: response.statusCode,
      headers: responseHeaders,
      body,
      text: () => body.text(),
      json: () => body.json(),
    };
  }

  async #viaFetch(
    url: string,
    request: TransportRequest,
    headers: Record<string, string>,
  ): Promise<TransportResponse> {
    const response = await undiciFetch(url, {
      method: request.method ?? 'GET',
      headers,
      body: toUndiciBody(request.body),
      signal: request.signal,
      redirect: 'manual',
      dispatcher: this.#agent,
    }).catch((error: unknown) => this.#failed(error, url, request.signal));
    for (const setCookie of response.headers.getSetCookie()) {
      await this.#jar.setCookie(setCookie, url, { ignoreError: true });
    }
    const body = response.body;
    return {
      status: response.status,
      headers: response.headers as unknown as Headers,
      body: body ? (body as AsyncIterable<Uint8Array>) : emptyBody(),
      text: () => response.text(),
      json: () => response.json(),
    };
  }

  /** A request that got no response: through a proxy, say so (and which one). */
  #failed(error: unknown, url: string, signal: AbortSignal | undefined): never {
    if (!this.#proxy || signal?.aborted) throw error;
    throw proxyFailure(error, this.#proxy, url);
  }

  async cookies(url: string): Promise<Record<string, string>> {
    await this.#seeded;
    const out: Record<string, string> = {};
    for (const cookie of await this.#jar.getCookies(url)) out[cookie.key] = cookie.value;
    return out;
  }

  async clearSession(): Promise<void> {
    this.#jar = new CookieJar();
    this.#seeded = this.#plant();
    await this.#seeded;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/**
 * Node's global FormData comes from Node's bundled undici, which the npm undici's fetch does not
 * recognise as multipart; copy it into the npm undici's own FormData.
 */
function toUndiciBody(body: TransportRequest['body']): string | Uint8Array | UndiciFormData | undefined {
  if (!(body instanceof FormData)) return body;
  const form = new UndiciFormData();
  for (const [name, value] of body.entries()) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, value.name);
  }
  return form;
}

/** Transports that let an adapter put a cookie into their jar (the browser manages its own). */
export interface CookieWritableTransport extends Transport {
  setCookie(url: string, name: string, value: string): Promise<void>;
}

export function canSetCookies(transport: Transport): transport is CookieWritableTransport {
  return typeof (transport as Partial<CookieWritableTransport>).setCookie === 'function';
}
