import { CookieJar } from 'tough-cookie';
import { Agent, FormData as UndiciFormData, fetch as undiciFetch } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from '../../transports/transport.ts';

export interface SeededCookie {
  name: string;
  value: string;
}

const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/**
 * Plain HTTP with a cookie jar that starts out holding the session cookies the user copied from
 * their browser (`hf-chat`, Poe's `p-b`/`p-lat`/`cf_clearance`), for sites logged in by cookie.
 *
 * Why not the shared HttpTransport: its jar can only be filled by responses, and it replaces any
 * `cookie` header the adapter sets as soon as the site has set one cookie of its own (Cloudflare's
 * `__cf_bm` on the first answer), which would silently log the account out. Proposed instead: an
 * `initialCookies` option on HttpTransport; this file goes away then.
 */
export class CookieSeededHttpTransport implements Transport {
  readonly kind = 'http' as const;
  #jar = new CookieJar();
  readonly #agent: Agent;
  readonly #seed: { url: string; cookies: SeededCookie[] };
  #seeded: Promise<void>;
  readonly #userAgent: string;

  constructor(options: { url: string; cookies: SeededCookie[]; userAgent?: string }) {
    this.#seed = { url: options.url, cookies: options.cookies };
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#agent = new Agent({
      connect: { timeout: 10_000 },
      keepAliveTimeout: 30_000,
      bodyTimeout: 0,
      headersTimeout: 0,
    });
    this.#seeded = this.#plant();
  }

  async #plant(): Promise<void> {
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
    const response = await undiciFetch(url, {
      method: request.method ?? 'GET',
      headers,
      body: toUndiciBody(request.body),
      signal: request.signal,
      redirect: 'manual',
      dispatcher: this.#agent,
    });
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

  async cookies(url: string): Promise<Record<string, string>> {
    await this.#seeded;
    const out: Record<string, string> = {};
    for (const cookie of await this.#jar.getCookies(url)) out[cookie.key] = cookie.value;
    return out;
  }

  /** Back to the cookies the user configured: they are the login, there is no other. */
  async clearSession(): Promise<void> {
    this.#jar = new CookieJar();
    this.#seeded = this.#plant();
    await this.#seeded;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/** Transports that let an adapter put a cookie into their jar (the browser manages its own). */
export interface CookieWritableTransport extends Transport {
  setCookie(url: string, name: string, value: string): Promise<void>;
}

export function canSetCookies(transport: Transport): transport is CookieWritableTransport {
  return typeof (transport as Partial<CookieWritableTransport>).setCookie === 'function';
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/** Node's global FormData is not the npm undici's; copy it over so multipart encoding happens. */
function toUndiciBody(body: TransportRequest['body']): string | Uint8Array | UndiciFormData | undefined {
  if (!(body instanceof FormData)) return body;
  const form = new UndiciFormData();
  for (const [name, value] of body.entries()) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, value.name);
  }
  return form;
}
