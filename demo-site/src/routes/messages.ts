import type { FastifyInstance } from 'fastify';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { DemoError } from '../errors.ts';
import { acceptSend } from './send.ts';

/** Transport 2 (start + stop); the frames themselves go out over `/api/ws`. */
export function registerMessageRoutes(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  app.post('/api/messages', async (request, reply) => {
    const generation = acceptSend(ctx, guard.sessionOf(request), request.body, 'ws');
    const { threadId, messageId, turn } = generation;
    return reply.code(202).send({ threadId, messageId, turn });
  });

  app.post<{ Params: { id: string } }>('/api/messages/:id/stop', async (request) => {
    const generation = ctx.generations.get(guard.sessionOf(request).username, request.params.id);
    if (!generation)
      throw new DemoError(404, 'message_not_found', `No generation for message ${request.params.id}.`);
    const stopped = generation.stop('stop');
    if (stopped) {
      ctx.stats.increment('stops');
      await generation.ended;
    }
    return { stopped };
  });
}
