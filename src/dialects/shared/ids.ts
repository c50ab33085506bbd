import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id with the dialect's familiar prefix (`chatcmpl-`, `resp_`, `msg_`, `call_`, `toolu_`…). */
export function generateId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = prefix;
  // 256 % 62 bias is irrelevant here: ids need uniqueness, not uniform distribution.
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Makes ids for items a renderer creates itself (Responses output items); injectable for golden tests. */
export type IdGenerator = (prefix: string) => string;
