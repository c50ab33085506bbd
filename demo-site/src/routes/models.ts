import type { FastifyInstance } from 'fastify';
import type { SiteContext } from '../context.ts';
import { listModels } from '../models.ts';

export function registerModelRoutes(app: FastifyInstance, ctx: SiteContext): void {
  app.get('/api/models', async () => ({ models: listModels(ctx.options.maxInputChars) }));
}
