import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** What a caller's or proxy's `x-request-id` may look like to be taken as ours (it reaches the log). */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * The request id on every log line of a request (pino's `reqId`): the caller's `x-request-id` when a
 * reverse proxy or client sent a well-formed one (so one id follows a request through nginx and
 * every gateway instance), else a fresh one.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given)) return given;
  return `req_${Math.random().toString(36).slice(2, 12)}`;
}

/** Sends the id back as `x-request-id` on every response, streamed (hijacked) ones included. */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.raw.setHeader('x-request-id', request.id);
  });
}
