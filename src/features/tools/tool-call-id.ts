import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fresh call id: `prefix` + 24 base62 characters (OpenAI style `call_…`; the pipeline passes
 * `toolu_` for Anthropic clients, which some of them check).
 */
export function newToolCallId(prefix = 'call_'): string {
  const bytes = randomBytes(24);
  let id = prefix;
  // 256 is not a multiple of 62, so the modulo is very slightly biased; irrelevant for an id.
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}
