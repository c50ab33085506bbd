import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * When no key is configured the gateway makes one on first start and keeps it in the data
 * directory (mode 0600), so the key printed once stays valid across restarts.
 */
export async function loadOrCreateGeneratedKey(dataDir: string): Promise<{ key: string; created: boolean }> {
  const path = join(dataDir, 'generated-api-key');
  try {
    const key = (await readFile(path, 'utf8')).trim();
    if (key.length >= 16) return { key, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = `wcg-${randomBytes(24).toString('base64url')}`;
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}
