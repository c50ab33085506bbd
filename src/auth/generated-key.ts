import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface GeneratedSecret {
  key: string;
  /** True on the start that made it: the only time it is printed. */
  created: boolean;
}

/**
 * A secret made once and kept in the data directory (mode 0600), so what is printed on first start
 * stays valid across restarts: 192 random bits, base64url, after `prefix`.
 */
async function loadOrCreateSecretFile(
  dataDir: string,
  file: string,
  prefix: string,
): Promise<GeneratedSecret> {
  const path = join(dataDir, file);
  try {
    const key = (await readFile(path, 'utf8')).trim();
    if (key.length >= 16) return { key, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = `${prefix}${randomBytes(24).toString('base64url')}`;
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}

/** The owner's API key when none is configured (`<dataDir>/generated-api-key`). */
export function loadOrCreateGeneratedKey(dataDir: string): Promise<GeneratedSecret> {
  return loadOrCreateSecretFile(dataDir, 'generated-api-key', 'wcg-');
}

/** The admin API token when `GATEWAY_ADMIN_TOKEN` is unset (`<dataDir>/admin-token`). */
export function loadOrCreateAdminToken(dataDir: string): Promise<GeneratedSecret> {
  return loadOrCreateSecretFile(dataDir, 'admin-token', 'wcg-admin-');
}
