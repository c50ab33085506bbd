import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_CHARS = 24;
/** Random bytes are fetched in blocks: one system call per 256 ids instead of one per id. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A fresh call id: `prefix` + 24 base62 characters (OpenAI style `call_…`; the pipeline passes
 * `toolu_` for Anthropic clients, which some of them check).
 */
export function newToolCallId(prefix = 'call_'): string {
  if (offset + ID_CHARS > pool.length) {
    pool = randomBytes(ID_CHARS * POOL_IDS);
    offset = 0;
  }
  let id = prefix;
  // 256 is not a multiple of 62, so the modulo is very slightly biased; irrelevant for an id.
  for (let i = 0; i < ID_CHARS; i++) id += ALPHABET[(pool[offset + i] ?? 0) % ALPHABET.length];
  offset += ID_CHARS;
  return id;
}
