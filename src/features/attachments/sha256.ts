import { createHash } from 'node:crypto';

/** Hex SHA-256 of the bytes: the identity of an attachment for caching and for end-to-end checks. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
