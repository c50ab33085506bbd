/**
 * The multi-user authenticator (route-auth convention: `authenticate(key)` returns a Principal,
 * undefined for an unknown key, or throws a GatewayError). Static config / generated keys are
 * tried first and stay the owner's keys. Store lookups are cached for a short TTL; `invalidate()`
 * (called by every admin write in this process) makes a revoke or pause immediate.
 */
import type { Limits } from '../admission/request-limits.ts';
import type { ApiKeyRegistry } from '../auth/api-key-registry.ts';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../core/errors.ts';
import type { UsersRepository } from './users-repository.ts';

export interface MultiUserPrincipal extends Principal {
  /** Model globs this key may use; undefined = all. */
  models?: string[] | undefined;
  /** True for keys from the users table (quota applies). */
  metered?: boolean | undefined;
  /** The user's own admission limits set through the admin API (`rpm`, `tpm`, `maxConcurrent`). */
  limits?: Limits | undefined;
}

export function createStoreAuthenticator(
  staticKeys: ApiKeyRegistry,
  users: UsersRepository,
  options: { ttlMs?: number; now?: () => number } = {},
) {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; found: Awaited<ReturnType<UsersRepository['findByKey']>> }>();

  return {
    async authenticate(key: string): Promise<MultiUserPrincipal | undefined> {
      const owner = staticKeys.authenticate(key);
      if (owner) return owner;
      let entry = cache.get(key);
      if (!entry || now() - entry.at > ttlMs) {
        entry = { at: now(), found: await users.findByKey(key) };
        cache.set(key, entry);
      }
      const found = entry.found;
      if (!found) return undefined;
      const t = now();
      if (found.key.revoked_at !== null && found.key.revoked_at <= t) {
        throw new GatewayError('authentication', 'This API key has been revoked.');
      }
      if (found.key.expires_at !== null && found.key.expires_at <= t) {
        throw new GatewayError('authentication', 'This API key has expired.');
      }
      if (found.user.deleted_at !== null)
        throw new GatewayError('authentication', 'This API key has been revoked.');
      if (found.user.status !== 'active') {
        throw new GatewayError('permission', 'This user is paused; ask the gateway admin.');
      }
      return {
        userId: found.user.id,
        keyId: found.key.id,
        keyName: found.key.name,
        models: found.key.models_json ? (JSON.parse(found.key.models_json) as string[]) : undefined,
        metered: true,
        limits: found.user.limits_json
          ? (JSON.parse(found.user.limits_json) as MultiUserPrincipal['limits'])
          : undefined,
      };
    },
    invalidate(): void {
      cache.clear();
    },
  };
}

/** `*` matches any run of characters in a model glob. */
export function modelAllowed(globs: string[] | undefined, model: string): boolean {
  if (globs === undefined) return true;
  return globs.some((glob) => {
    const pattern = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${pattern.join('.*')}$`).test(model);
  });
}
