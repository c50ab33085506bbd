import type { FastifyInstance } from 'fastify';
import type { RequestGuard } from '../auth/guard.ts';
import type { Pages } from '../pages.ts';

export function registerPageRoutes(app: FastifyInstance, guard: RequestGuard, pages: Pages): void {
  app.get('/', async (request, reply) => {
    const lookup = guard.lookup(request);
    if (lookup.status !== 'valid') return reply.redirect('/login', 302);
    const { csrfToken, username } = lookup.session;
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(pages.app({ csrfToken, username }));
  });

  app.get('/login', async (request, reply) => {
    if (guard.lookup(request).status === 'valid') return reply.redirect('/', 302);
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(pages.login);
  });

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = pages.asset(request.params.name);
    if (!asset) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').type(asset.type).send(asset.body);
  });

  app.get('/favicon.ico', async (_request, reply) => {
    const icon = pages.asset('favicon.svg');
    return icon ? reply.type(icon.type).send(icon.body) : reply.callNotFound();
  });
}
