import type { FastifyRequest } from 'fastify';
import { requestPath } from './request-path.ts';

/** Whether a request speaks Anthropic's dialect (its errors and model objects are Anthropic's). */
export function isAnthropicRequest(request: FastifyRequest): boolean {
  // The matched route, not the raw URL: `/v%31/messages` is the Messages route too.
  const path = request.routeOptions.url ?? requestPath(request.url).toLowerCase();
  return path.startsWith('/v1/messages') || typeof request.headers['anthropic-version'] === 'string';
}
