import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { GatewayError } from '../../core/errors.ts';
import { formatBytes } from './format-bytes.ts';
import { parseIp } from './ip-address.ts';
import { createPinnedLookup, type ResolvedAddress } from './pinned-lookup.ts';
import { sniffMediaType } from './sniff-media-type.ts';
import {
  assertAddressAllowed,
  compileFetchPolicy,
  type FetchPolicy,
  type ParsedTarget,
  parseTarget,
  UrlRefusal,
} from './url-policy.ts';

export type { ResolvedAddress } from './pinned-lookup.ts';

/** DNS seam: every address the name resolves to. Tests inject a fake; production uses the OS resolver. */
export type SafeLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SafeFetchOptions {
  /** Largest body accepted, enforced while streaming. Default 20 MiB. */
  maxBytes?: number;
  /** Time allowed to open the TCP/TLS connection, per hop. Default 5 s. */
  connectTimeoutMs?: number;
  /** Time allowed for the whole fetch (DNS, redirects, body). Cuts off slow-drip and endless bodies. Default 30 s. */
  totalTimeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Host names (or `*.example.com`) the operator trusts even when they resolve to internal addresses. */
  allowHosts?: readonly string[];
  /** Address ranges (`10.1.0.0/16`, `127.0.0.1`) the operator allows despite being private. */
  allowCidrs?: readonly string[];
  /** Extra request headers; `authorization`, `cookie` and `proxy-authorization` are dropped on a cross-origin redirect. */
  headers?: Readonly<Record<string, string>>;
  lookup?: SafeLookup;
  /** The caller's abort (client gone); rethrown as is rather than mapped to a 400. */
  signal?: AbortSignal;
  /** The request field the URL came from, for the error's `param`. */
  param?: string;
}

export interface SafeFetchResult {
  data: Uint8Array;
  /** Sniffed from the bytes, never taken from headers. */
  mediaType: string;
  finalUrl: string;
  /** The server's Content-Type (without parameters), only a hint for refining text subtypes. */
  declaredMediaType?: string;
}

export const SAFE_FETCH_DEFAULTS = {
  maxBytes: 20 * 1024 * 1024,
  connectTimeoutMs: 5_000,
  totalTimeoutMs: 30_000,
  maxRedirects: 5,
} as const;

// Redirects per the fetch standard; 300 and 304 are not, whatever Location says.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const CONNECTION_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'te',
  'accept-encoding',
]);

const defaultLookup: SafeLookup = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

/**
 * GETs a caller-supplied URL without letting it reach anything internal: each hop's host is resolved,
 * every address checked, and the connection pinned to the checked addresses; redirects are followed by
 * hand so each target is checked before it is contacted.
 */
export async function safeFetch(url: string, options: SafeFetchOptions = {}): Promise<SafeFetchResult> {
  const maxBytes = options.maxBytes ?? SAFE_FETCH_DEFAULTS.maxBytes;
  const totalTimeoutMs = options.totalTimeoutMs ?? SAFE_FETCH_DEFAULTS.totalTimeoutMs;
  const maxRedirects = options.maxRedirects ?? SAFE_FETCH_DEFAULTS.maxRedirects;
  const lookup = options.lookup ?? defaultLookup;
  const policy = compileFetchPolicy(options);
  const refuse = (reason: string, cause?: unknown) =>
    new GatewayError('invalid_request', `The URL ${displayUrl(url)} ${reason}.`, {
      param: options.param,
      cause,
    });

  options.signal?.throwIfAborted();
  const deadline = new AbortController();
  const timeoutReason = new Error('safe-fetch total timeout');
  const timer = setTimeout(() => deadline.abort(timeoutReason), totalTimeoutMs);
  const signal =
    options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);

  const pins = new Map<string, ResolvedAddress[]>();
  const agent = new Agent({
    connect: {
      timeout: options.connectTimeoutMs ?? SAFE_FETCH_DEFAULTS.connectTimeoutMs,
      lookup: createPinnedLookup(pins),
    },
    // No proxies, no HTTP/2 coalescing: one plain connection per origin that we chose.
    allowH2: false,
    connections: 1,
  });

  try {
    let current = url;
    let headers = buildHeaders(options.headers);
    for (let redirects = 0; ; redirects++) {
      const target = parseTarget(current, policy);
      if (target.kind === 'name') {
        pins.set(target.hostname, await resolveChecked(target, lookup, policy, signal));
      }
      const response = await agent.request({
        origin: target.url.origin,
        path: `${target.url.pathname}${target.url.search}`,
        method: 'GET',
        headers,
        signal,
      });
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.statusCode) && typeof location === 'string' && location !== '') {
        discard(response.body);
        if (redirects >= maxRedirects) throw new UrlRefusal(`redirected more than ${maxRedirects} times`);
        const next = resolveLocation(location, target.url);
        if (next.origin !== target.url.origin) headers = withoutCredentials(headers);
        current = next.href;
        continue;
      }
      if (response.statusCode < 200 || response.statusCode > 299) {
        discard(response.body);
        throw new UrlRefusal(`could not be downloaded (HTTP ${response.statusCode})`);
      }
      const data = await readCapped(response.body, response.headers['content-length'], maxBytes);
      const declared = headerBaseType(response.headers['content-type']);
      const result: SafeFetchResult = { data, mediaType: await sniffMediaType(data), finalUrl: current };
      if (declared !== undefined) result.declaredMediaType = declared;
      return result;
    }
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if (deadline.signal.aborted) {
      throw refuse(`did not finish downloading within ${formatSeconds(totalTimeoutMs)}`, error);
    }
    if (error instanceof UrlRefusal) throw refuse(error.message, error);
    if (error instanceof GatewayError) throw error;
    throw refuse(`could not be downloaded (${describeNetworkError(error)})`, error);
  } finally {
    clearTimeout(timer);
    agent.destroy().catch(() => {});
  }
}

async function resolveChecked(
  target: Extract<ParsedTarget, { kind: 'name' }>,
  lookup: SafeLookup,
  policy: FetchPolicy,
  signal: AbortSignal,
): Promise<ResolvedAddress[]> {
  let answers: ResolvedAddress[];
  try {
    answers = await abortable(lookup(target.hostname), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new UrlRefusal(`has a host name that could not be resolved ("${target.hostname}")`);
  }
  const valid = answers.filter((answer) => isIP(answer.address) === answer.family);
  if (valid.length === 0)
    throw new UrlRefusal(`has a host name that could not be resolved ("${target.hostname}")`);
  if (!target.trusted) {
    // Any internal answer refuses the whole name: a mixed answer set is how rebinding attacks start.
    for (const answer of valid) {
      const ip = parseIp(answer.address);
      if (ip === undefined) throw new UrlRefusal(`host "${target.hostname}" resolved to an unusable address`);
      assertAddressAllowed(ip, policy, target.hostname);
    }
  }
  return valid;
}

async function readCapped(body: Readable, contentLength: unknown, maxBytes: number): Promise<Uint8Array> {
  const declared =
    typeof contentLength === 'string' && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
  if (declared !== undefined && declared > maxBytes) {
    discard(body);
    throw new UrlRefusal(`is larger than the ${formatBytes(maxBytes)} limit (${formatBytes(declared)})`);
  }
  // With a trustworthy length, copy into one buffer as chunks arrive: peak memory is the file, not twice it.
  let data = new Uint8Array(declared ?? 64 * 1024);
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    // Counted as bytes arrive: Content-Length may be absent or a lie.
    if (total + chunk.byteLength > maxBytes) {
      discard(body);
      throw new UrlRefusal(`is larger than the ${formatBytes(maxBytes)} limit`);
    }
    if (total + chunk.byteLength > data.byteLength) {
      const grown = new Uint8Array(
        Math.min(maxBytes, Math.max(data.byteLength * 2, total + chunk.byteLength)),
      );
      grown.set(data.subarray(0, total));
      data = grown;
    }
    data.set(chunk, total);
    total += chunk.byteLength;
  }
  return total === data.byteLength ? data : data.slice(0, total);
}

/** Drops a body we will not read; undici reports the abort as a stream error nobody else listens for. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function buildHeaders(extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'image/*, application/pdf, text/*;q=0.9, */*;q=0.5',
    // Compressed bodies would dodge the size cap until decompressed; ask for the plain bytes.
    'accept-encoding': 'identity',
    'user-agent': 'webchat-gateway (attachment fetch)',
  };
  for (const [name, value] of Object.entries(extra ?? {})) {
    const lower = name.toLowerCase();
    // The connection is ours to describe: Host follows the validated URL, framing is undici's.
    if (!CONNECTION_HEADERS.has(lower)) headers[lower] = value;
  }
  return headers;
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
}

function resolveLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch {
    throw new UrlRefusal('redirected to an invalid URL');
  }
}

function headerBaseType(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const base = value.split(';')[0]?.trim().toLowerCase();
  return base === undefined || base === '' ? undefined : base;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function describeNetworkError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
      return 'host not found';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'server stopped responding';
    default:
      if (/CERT|SSL|TLS/.test(code)) return `TLS certificate not trusted: ${code}`;
      return code === '' ? 'network error' : code;
  }
}

/** Long URLs (or data smuggled in them) are cut so error messages stay readable. */
function displayUrl(url: string): string {
  return url.length > 120 ? `"${url.slice(0, 117)}..."` : `"${url}"`;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
