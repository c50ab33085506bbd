import type { FastifyInstance } from 'fastify';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { acceptSend } from './send.ts';
import { streamGenerationAsSse } from './sse-stream.ts';

/** Transport 1: `POST /api/chat` answers with the generation as a `text/event-stream`. */
export function registerChatSseRoute(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  app.post('/api/chat', async (request, reply) => {
    const generation = acceptSend(ctx, guard.sessionOf(request), request.body, 'sse');
    streamGenerationAsSse(generation, reply);
  });
}
