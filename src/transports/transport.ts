/**
 * How a site adapter reaches its site. An adapter written against this runs over plain HTTP or
 * inside a logged-in browser page (in-page fetch) without changing.
 */
export interface TransportRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  /** The body as it arrives; iterate once. Cancelling the request's signal ends it. */
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface Transport {
  readonly kind: 'http' | 'browser';
  fetch(url: string, request?: TransportRequest): Promise<TransportResponse>;
  /** Cookies the transport holds for a URL (names and values), for adapters that need one. */
  cookies(url: string): Promise<Record<string, string>>;
  /** Forgets the session (cookies) so the next login starts clean. */
  clearSession(): Promise<void>;
  close(): Promise<void>;
}
