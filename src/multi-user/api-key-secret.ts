/** User API keys: 160 random bits from the CSPRNG, `wcg-` + base64url; only the SHA-256 is kept. */
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'wcg-';

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(20).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What lists show instead of the key: `wcg-` and the first 6 characters. */
export function displayPrefix(key: string): string {
  return `${key.slice(0, KEY_PREFIX.length + 6)}…`;
}
