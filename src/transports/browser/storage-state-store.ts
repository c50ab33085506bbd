import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from './browser-library.ts';

export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/**
 * Snapshots of an account's cookies, localStorage and IndexedDB, taken while logged in. They are
 * what survives a restart: a profile directory alone loses session cookies.
 */
export class StorageStateStore {
  readonly directory: string;
  readonly #file: string;

  constructor(directory: string) {
    this.directory = directory;
    this.#file = join(directory, 'storage-state.json');
  }

  async load(): Promise<StorageState | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as StorageState;
    } catch {
      // A torn or hand-edited snapshot must not keep the account from starting; it logs in afresh.
      return undefined;
    }
  }

  /** Writes atomically (temp file + rename) and readable by the owner only: it holds session cookies. */
  async save(state: StorageState): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state), { mode: 0o600 });
    await rename(temporary, this.#file);
  }

  async clear(): Promise<void> {
    await this.save({ cookies: [], origins: [] });
  }
}
