import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from './browser-library.ts';
import { parseSessionStorage, type SessionStorageOrigin } from './session-storage.ts';

export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/**
 * What is saved of an account: Playwright's storage state plus the sessionStorage Playwright leaves
 * out. `sessionStorage` is absent from older files and when there is none; such files load as before.
 */
export interface AccountSnapshot extends StorageState {
  sessionStorage?: SessionStorageOrigin[];
}

/**
 * Snapshots of an account's cookies, localStorage, IndexedDB and sessionStorage, taken while logged
 * in. They are what survives a restart: a profile directory alone loses session cookies.
 */
export class StorageStateStore {
  readonly directory: string;
  readonly #file: string;

  constructor(directory: string) {
    this.directory = directory;
    this.#file = join(directory, 'storage-state.json');
  }

  async load(): Promise<AccountSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let snapshot: AccountSnapshot | null;
    try {
      snapshot = JSON.parse(text) as AccountSnapshot | null;
    } catch {
      // A torn or hand-edited snapshot must not keep the account from starting; it logs in afresh.
      return undefined;
    }
    if (typeof snapshot !== 'object' || snapshot === null) return undefined;
    if (snapshot.sessionStorage === undefined) return snapshot;
    const sessionStorage = parseSessionStorage(snapshot.sessionStorage);
    return { ...snapshot, sessionStorage };
  }

  /** Writes atomically (temp file + rename) and readable by the owner only: it holds session cookies. */
  async save(snapshot: AccountSnapshot): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(snapshot), { mode: 0o600 });
    await rename(temporary, this.#file);
  }

  async clear(): Promise<void> {
    await this.save({ cookies: [], origins: [] });
  }
}
