import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { presentedKey } from './api-key-registry.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether a request carries the admin token (`Authorization: Bearer …` or `x-api-key`, never the
 * URL). Compared as SHA-256 digests in constant time, so neither length nor prefix leaks.
 */
export function adminTokenCheck(token: string): (request: FastifyRequest) => boolean {
  const matches = adminTokenMatcher(token);
  return (request) => {
    const presented = presentedKey(request.headers);
    return presented !== undefined && matches(presented);
  };
}

/** Whether a presented string is the admin token (the dashboard's sign-in form), in constant time. */
export function adminTokenMatcher(token: string): (presented: string) => boolean {
  const expected = digest(token);
  return (presented) => timingSafeEqual(digest(presented), expected);
}
