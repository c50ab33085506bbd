import type { FastifyReply } from 'fastify';
import { toSseEvent } from '../generation/frames.ts';
import type { Generation } from '../generation/generation.ts';

/** Answers with a generation as a `text/event-stream`; the client going away stops it. */
export function streamGenerationAsSse(generation: Generation, reply: FastifyReply): void {
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
}
