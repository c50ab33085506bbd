import { createHash } from 'node:crypto';

/** The signin endpoint takes the password's SHA-256 in lowercase hex, never the password itself. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The `exp` of a JWT (seconds since the epoch) as a Date; undefined when it is not a readable JWT. */
export function jwtExpiry(token: string): Date | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether to sign in again before using the token. Qwen2API renews when less than 6 hours remain;
 * a token whose expiry cannot be read is trusted until the site rejects it.
 */
export function needsRenewal(token: string | undefined, now: Date, marginMs = 6 * 3600_000): boolean {
  if (!token) return true;
  const expiry = jwtExpiry(token);
  return expiry !== undefined && expiry.getTime() - now.getTime() < marginMs;
}
