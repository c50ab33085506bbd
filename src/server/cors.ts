import type { FastifyInstance } from 'fastify';

const EXPOSED_HEADERS =
  'retry-after, x-should-retry, x-gateway-model, x-gateway-thread, x-gateway-context-truncated, x-gateway-context-file';

/**
 * CORS is off unless origins are configured (`server.corsOrigins`): without it a web page can only
 * send the "simple" requests the gateway refuses (no key, not JSON). With it, the listed origins —
 * exact `scheme://host[:port]` strings — may call the API from a browser with their own key.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins.map(normalizeOrigin));
  const allowedOrigin = (origin: string | undefined) =>
    origin !== undefined && allowed.has(normalizeOrigin(origin)) ? origin : undefined;

  app.addHook('onRequest', async (request, reply) => {
    const origin = allowedOrigin(request.headers.origin);
    // On the raw response, so streamed (hijacked) answers carry them too.
    reply.raw.setHeader('vary', 'origin');
    if (origin === undefined) return;
    reply.raw.setHeader('access-control-allow-origin', origin);
    reply.raw.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  });
  app.options('/*', { config: { auth: 'public' } }, async (request, reply) => {
    if (allowedOrigin(request.headers.origin) !== undefined) {
      reply
        .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
        // The SDKs send many headers of their own (`x-stainless-*`); a listed origin may send any.
        .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '')
        .header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  });
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}
