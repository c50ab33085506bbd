import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/logger.ts';
import { createFileExclusive, writeFileAtomic } from './atomic-file.ts';
import { KEY_BYTES, keyIdOf, SecretBox, type SecretKey } from './secret-box.ts';

/**
 * Where the master keys come from (docs/secrets.md):
 * - `GATEWAY_SECRET_KEY` (32 bytes, base64 or hex): the current key; `GATEWAY_SECRET_KEY_PREVIOUS`
 *   (comma-separated) older keys that only decrypt, during a rotation. Keys left in an existing
 *   `secret-keys.json` also still decrypt, so moving from the file to the variable loses nothing.
 * - otherwise `<dataDir>/secret-keys.json`, generated on first start (0600, in a 0700 dir): a list of
 *   keys, the first one current.
 * Keys are never logged; errors name variables and key ids only.
 */

export const SECRET_KEY_FILE = 'secret-keys.json';
export const KEY_FORMS =
  '32 bytes as base64 (44 characters, e.g. `openssl rand -base64 32`) or as hex (64 characters, `openssl rand -hex 32`)';

/** A key that cannot be used: the message says which variable or file and what is accepted. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export interface KeyFileEntry {
  id: string;
  /** base64 of the 32 key bytes. */
  key: string;
  createdAt: string;
}

const KeyFileSchema = z.object({
  version: z.literal(1),
  keys: z
    .array(
      z.object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        key: z.string(),
        createdAt: z.string(),
      }),
    )
    .min(1),
});

export interface Keyring {
  /** `env`: GATEWAY_SECRET_KEY; `file`: `<dataDir>/secret-keys.json`. */
  source: 'env' | 'file';
  /** Current key first, then every key that still decrypts. */
  keys: SecretKey[];
  /** The key file's path (whether or not it is the source or exists). */
  file: string;
  /** Whether the key file exists now (env source: it only supplies older keys). */
  fileExists: boolean;
}

export interface LoadKeyringOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

/** Decodes one key written as base64/base64url (43–44 characters) or hex (64); `name` is for errors. */
export function parseSecretKey(text: string, name: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) key = Buffer.from(value, 'base64');
  else if (/^[A-Za-z0-9_-]{43}=?$/.test(value)) key = Buffer.from(value, 'base64url');
  if (key?.length !== KEY_BYTES)
    throw new SecretKeyError(
      `${name} must be ${KEY_FORMS}; got ${value.length} characters that are neither.`,
    );
  return key;
}

/** A fresh random key, with its fingerprint id. */
export function generateSecretKey(): SecretKey {
  const key = randomBytes(KEY_BYTES);
  return { id: keyIdOf(key), key };
}

export function keyFileEntry(key: SecretKey, createdAt = new Date()): KeyFileEntry {
  return { id: key.id, key: key.key.toString('base64'), createdAt: createdAt.toISOString() };
}

function keyFileText(entries: readonly KeyFileEntry[]): string {
  return `${JSON.stringify({ version: 1, keys: entries }, null, 2)}\n`;
}

/** The key file's entries, or undefined when there is none. A damaged file is an error, never replaced. */
export async function readKeyFile(path: string): Promise<KeyFileEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: z.infer<typeof KeyFileSchema>;
  try {
    parsed = KeyFileSchema.parse(JSON.parse(text));
  } catch {
    throw new SecretKeyError(
      `${path} is not a valid key file ({"version":1,"keys":[{id,key,createdAt},…]}). Restore it from your backup; without it the stored secrets cannot be decrypted.`,
    );
  }
  keysOf(parsed.keys, path);
  return parsed.keys;
}

export function keysOf(entries: readonly KeyFileEntry[], path: string): SecretKey[] {
  return entries.map((entry, i) => ({
    id: entry.id,
    key: parseSecretKey(entry.key, `${path}: key ${i + 1}`),
  }));
}

/** Rewrites the key file in one step, mode 0600. */
export async function writeKeyFile(path: string, entries: readonly KeyFileEntry[]): Promise<void> {
  await writeFileAtomic(path, keyFileText(entries));
}

function envKeys(env: NodeJS.ProcessEnv): SecretKey[] | undefined {
  const current = env.GATEWAY_SECRET_KEY?.trim();
  const previous = env.GATEWAY_SECRET_KEY_PREVIOUS?.trim();
  if (!current) {
    if (previous)
      throw new SecretKeyError('GATEWAY_SECRET_KEY_PREVIOUS is set but GATEWAY_SECRET_KEY is not.');
    return undefined;
  }
  const keys = [parseSecretKey(current, 'GATEWAY_SECRET_KEY')];
  const older = (previous ?? '').split(',').filter((part) => part.trim() !== '');
  for (const [i, part] of older.entries())
    keys.push(parseSecretKey(part, `GATEWAY_SECRET_KEY_PREVIOUS (entry ${i + 1} of ${older.length})`));
  return keys.map((key) => ({ id: keyIdOf(key), key }));
}

async function warnIfOpen(path: string, logger: Logger): Promise<void> {
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0)
    logger.warn({ path }, 'the secret key file is readable by other users; chmod 600 it');
}

/**
 * The keys in force: from the environment, else from the key file, which is generated (and a
 * warning to back it up logged) when there is none yet.
 */
export async function loadKeyring(options: LoadKeyringOptions): Promise<Keyring> {
  const { dataDir, logger } = options;
  const file = join(dataDir, SECRET_KEY_FILE);
  const fromEnv = envKeys(options.env ?? process.env);
  let entries = await readKeyFile(file);
  if (fromEnv) {
    const keys = [...fromEnv, ...(entries ? keysOf(entries, file) : [])];
    if (entries) {
      logger.warn(
        { path: file },
        'GATEWAY_SECRET_KEY is set and a secret key file exists: its keys only decrypt now; run `webchat-gateway secrets rotate`, then delete the file',
      );
    }
    return { source: 'env', keys, file, fileExists: entries !== undefined };
  }
  if (!entries) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const created = [keyFileEntry(generateSecretKey())];
    if (await createFileExclusive(file, keyFileText(created))) {
      entries = created;
      logger.warn(
        { path: file },
        'generated the secret key file that encrypts stored site credentials and browser sessions: back it up (without it they cannot be decrypted), or set GATEWAY_SECRET_KEY instead',
      );
    } else {
      // Another process created it between our read and our write: use theirs.
      entries = (await readKeyFile(file))!;
    }
  }
  await warnIfOpen(file, logger);
  return { source: 'file', keys: keysOf(entries, file), file, fileExists: true };
}

/** The SecretBox for this gateway's data dir and environment (see loadKeyring). */
export async function loadSecretBox(options: LoadKeyringOptions): Promise<SecretBox> {
  return new SecretBox((await loadKeyring(options)).keys);
}
