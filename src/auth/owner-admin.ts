import type { FastifyRequest } from 'fastify';
import { presentedKey } from './api-key-registry.ts';
import type { Principal } from './principal.ts';

/** The user of the generated key and the default user of configured keys. */
export const OWNER_USER = 'owner';

/**
 * Single-user admin rights until real admin tokens exist: a request is an admin request when its
 * key (header only, never the URL) belongs to the owner. Other users' keys are API keys, not admin.
 */
export function ownerKeyIsAdmin(keys: {
  authenticate(key: string): Principal | undefined | Promise<Principal | undefined>;
}): (request: FastifyRequest) => Promise<boolean> {
  return async (request) => {
    const key = presentedKey(request.headers);
    if (key === undefined) return false;
    try {
      return (await keys.authenticate(key))?.userId === OWNER_USER;
    } catch {
      return false;
    }
  };
}
