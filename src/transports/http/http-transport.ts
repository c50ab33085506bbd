import { CookieJar } from 'tough-cookie';
import { Agent, FormData as UndiciFormData, request as undiciRequest, fetch as undiciFetch } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from '../transport.ts';

export interface HttpTransportOptions {
  /** Sent on every request (a realistic browser user agent by default). */
  userAgent?: string;
  connectTimeoutMs?: number;
}

const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/** Plain HTTP to the site with undici and a cookie jar, as a logged-in browser tab would hold. */
export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  #jar = new CookieJar();
  readonly #agent: Agent;
  readonly #userAgent: string;

  constructor(options: HttpTransportOptions = {}) {
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      keepAliveTimeout: 30_000,
      // Streams may be silent for long stretches; the pipeline's own idle timeout governs them.
      bodyTimeout: 0,
      headersTimeout: 0,
    });
  }

  async fetch(url: string, request: TransportRequest = {}): Promise<TransportResponse> {
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
    });
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
    const out: Record<string, string> = {};
    for (const cookie of await this.#jar.getCookies(url)) out[cookie.key] = cookie.value;
    return out;
  }

  async clearSession(): Promise<void> {
    this.#jar = new CookieJar();
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
