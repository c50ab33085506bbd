import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../core/errors.ts';

interface SiteWithSetup {
  id: string;
  /** Recipe sites with `ui.setup` steps (`sites/recipe/recipe-site.ts`). */
  runSetup?: (signal: AbortSignal) => Promise<void>;
}

/** Re-runs a site's one-time setup steps; 404 for an unknown site, 400 for one without setup. */
export async function runSiteSetup(
  sites: ReadonlyMap<string, SiteWithSetup>,
  id: string,
  signal: AbortSignal,
): Promise<{ id: string; object: 'site.setup'; ran: true }> {
  const site = sites.get(id);
  if (!site) throw new GatewayError('not_found', `No site with id '${id}'.`, { param: 'id' });
  if (typeof site.runSetup !== 'function') {
    throw new GatewayError(
      'invalid_request',
      `The site '${id}' has no setup steps (only recipe sites with ui.setup do).`,
      {
        param: 'id',
      },
    );
  }
  await site.runSetup(signal);
  return { id, object: 'site.setup', ran: true };
}

/**
 * `POST /admin/api/sites/:id/setup` (admin token): runs a recipe site's `ui.setup` again on demand,
 * e.g. after the site reset a preference the setup toggles. The steps are idempotent.
 */
export function registerSiteAdminRoutes(
  app: FastifyInstance,
  sites: ReadonlyMap<string, SiteWithSetup>,
): void {
  app.post('/admin/api/sites/:id/setup', { config: { auth: 'admin-token' } }, async (request) =>
    runSiteSetup(sites, (request.params as { id: string }).id, AbortSignal.timeout(120_000)),
  );
}
