/**
 * The dashboard's static files, all from this install (never a CDN): htmx and uPlot from their npm
 * packages, the dashboard's own style sheet and script from `assets/`. Read once at start; each URL
 * carries a hash of the file, so the long cache never serves a stale one after an upgrade.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

const SOURCES: Record<string, { path: () => string; type: string }> = {
  'htmx.min.js': {
    path: () => require.resolve('htmx.org/dist/htmx.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.iife.min.js': {
    path: () => require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': {
    path: () => require.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
  'dashboard.css': {
    path: () => fileURLToPath(new URL('./assets/dashboard.css', import.meta.url)),
    type: 'text/css; charset=utf-8',
  },
  'dashboard.js': {
    path: () => fileURLToPath(new URL('./assets/dashboard.js', import.meta.url)),
    type: 'text/javascript; charset=utf-8',
  },
};

export type AssetName = keyof typeof SOURCES;

export interface DashboardAssets {
  /** `/admin/assets/<name>?v=<hash>` */
  url(name: AssetName): string;
}

export function registerDashboardAssets(app: FastifyInstance): DashboardAssets {
  const assets = new Map<string, Asset>();
  for (const [name, source] of Object.entries(SOURCES)) {
    const body = readFileSync(source.path());
    assets.set(name, {
      body,
      type: source.type,
      hash: createHash('sha256').update(body).digest('base64url').slice(0, 12),
    });
  }
  // Public: these are the same files as on npm; nothing in them is the gateway's.
  app.get<{ Params: { name: string } }>(
    '/admin/assets/:name',
    { config: { auth: 'public' } },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) {
        return reply.code(404).type('text/plain; charset=utf-8').send('No such dashboard asset.');
      }
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .type(asset.type)
        .send(asset.body);
    },
  );
  return { url: (name) => `/admin/assets/${name}?v=${assets.get(name)?.hash ?? ''}` };
}
