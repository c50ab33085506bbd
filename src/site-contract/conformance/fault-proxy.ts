import { createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProvokedFault, SiteFault } from './conformance-target.ts';

/** What the proxy answers instead of the site while a fault is armed. */
export interface FaultAnswer {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless it is a string already. */
  body?: unknown;
  /** Which requests fail (default: every request). */
  matches?: (method: string, path: string) => boolean;
}

export interface FaultProxy {
  /** The site's base URL with the proxy's origin (the path is kept). */
  url: string;
  /** Requests that arrived while a fault was armed and were answered by it. */
  readonly faulted: number;
  fail(answer: FaultAnswer): void;
  clear(): void;
  close(): Promise<void>;
}

/**
 * Test support for the conformance suite: a loopback HTTP proxy in front of a site's local fake
 * that passes everything through (streamed both ways) until a fault is armed, then answers the
 * matching requests itself (a 429 with retry-after, a 401, a 500) the way the real site would.
 */
export async function startFaultProxy(siteUrl: string): Promise<FaultProxy> {
  const target = new URL(siteUrl);
  let armed: FaultAnswer | undefined;
  let faulted = 0;

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const method = incoming.method ?? 'GET';
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    const fault = armed;
    if (fault && (fault.matches?.(method, path) ?? true)) {
      faulted++;
      incoming.resume();
      const body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? {});
      outgoing.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      outgoing.end(body);
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    // A client that goes away (an aborted turn) must reach the site as a closed connection too.
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(siteUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString().replace(/\/$/, ''),
    get faulted() {
      return faulted;
    },
    fail(answer) {
      armed = answer;
    },
    clear() {
      armed = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** How a site answers each fault the suite provokes, for `proxiedFaults`. */
export interface SiteFaultAnswers {
  /** The requests that fail (the send, usually). */
  matches: NonNullable<FaultAnswer['matches']>;
  /** Sent as `retry-after` with the 429. */
  retryAfterSeconds: number;
  /** The site's error body per fault (default `{}`). */
  bodies?: Partial<Record<SiteFault, unknown>>;
  /** The status of a server error (default 500). */
  serverErrorStatus?: number;
}

/** The suite's `fault` callback, answered by the proxy: a 429 with retry-after, a 401, a 5xx. */
export function proxiedFaults(
  proxy: FaultProxy,
  answers: SiteFaultAnswers,
): (kind: SiteFault) => Promise<ProvokedFault> {
  return async (kind) => {
    const status = {
      'rate-limit': 429,
      'session-ended': 401,
      'server-error': answers.serverErrorStatus ?? 500,
    }[kind];
    const rateLimited = kind === 'rate-limit';
    proxy.fail({
      status,
      ...(rateLimited ? { headers: { 'retry-after': String(answers.retryAfterSeconds) } } : {}),
      body: answers.bodies?.[kind] ?? {},
      matches: answers.matches,
    });
    return {
      ...(rateLimited ? { retryAfterSeconds: answers.retryAfterSeconds } : {}),
      restore: async () => proxy.clear(),
    };
  };
}
