import type { FastifyInstance } from 'fastify';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { toSseEvent } from '../generation/frames.ts';
import { acceptSend } from './send.ts';

/** Transport 1: `POST /api/chat` answers with the generation as a `text/event-stream`. */
export function registerChatSseRoute(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  app.post('/api/chat', async (request, reply) => {
    const generation = acceptSend(ctx, guard.sessionOf(request), request.body, 'sse');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let ended = false;
    const unsubscribe = generation.subscribe({
      frame(frame) {
        if (ended) return;
        res.write(toSseEvent(frame));
        if (frame.type === 'done' || frame.type === 'error') {
          ended = true;
          res.end();
        }
      },
      disconnect() {
        ended = true;
        res.destroy();
      },
    });
    // The response closing before the last frame means the client went away: stop generating.
    res.on('close', () => {
      unsubscribe();
      if (!ended) generation.stop('client_abort');
    });
  });
}
