import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from '../config/config-schema.ts';
import type { Principal } from './principal.ts';

export function keyIdOf(key: string): string {
  return `key_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** Looks keys up by their SHA-256 so no comparison leaks timing about the secret itself. */
export class ApiKeyRegistry {
  readonly #byDigest = new Map<string, Principal>();

  constructor(keys: ApiKeyConfig[]) {
    for (const entry of keys) {
      this.#byDigest.set(digest(entry.key), {
        userId: entry.user,
        keyId: keyIdOf(entry.key),
        keyName: entry.name,
      });
    }
  }

  get size(): number {
    return this.#byDigest.size;
  }

  authenticate(presented: string): Principal | undefined {
    const presentedDigest = digest(presented);
    for (const [known, principal] of this.#byDigest) {
      if (timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(presentedDigest, 'hex'))) return principal;
    }
    return undefined;
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Reads the key a client presented: `x-api-key` (Anthropic) or `Authorization: Bearer` (OpenAI). */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const xApiKey = headers['x-api-key'];
  if (typeof xApiKey === 'string' && xApiKey.length > 0) return xApiKey.trim();
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}
