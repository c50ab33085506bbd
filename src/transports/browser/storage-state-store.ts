import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretBox, SecretBoxError } from '../../secrets/secret-box.ts';
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

/** The snapshot's file name in an account's directory (`secrets rotate` re-encrypts these files). */
export const STORAGE_STATE_FILE = 'storage-state.json';

export interface StorageStateStoreOptions {
  /**
   * Encrypts what is written (the file then holds one `wcg1:` ciphertext). Plaintext files from
   * before, and files under an older key, still load and are rewritten under the current key as soon
   * as they are loaded.
   */
  secretBox?: SecretBox;
}

/**
 * Snapshots of an account's cookies, localStorage, IndexedDB and sessionStorage, taken while logged
 * in. They are what survives a restart: a profile directory alone loses session cookies.
 */
export class StorageStateStore {
  readonly directory: string;
  readonly #file: string;
  readonly #box: SecretBox | undefined;

  constructor(directory: string, options: StorageStateStoreOptions = {}) {
    this.directory = directory;
    this.#file = join(directory, STORAGE_STATE_FILE);
    this.#box = options.secretBox;
  }

  async load(): Promise<AccountSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const stored = text.trim();
    const encrypted = SecretBox.isCiphertext(stored);
    if (encrypted) {
      // Not treated like a torn file: logging in afresh would overwrite a session that the right
      // key would still open.
      if (!this.#box)
        throw new SecretBoxError(`${this.#file} is encrypted, but no secret key was given to read it.`);
      try {
        text = this.#box.decrypt(stored);
      } catch (error) {
        throw new SecretBoxError(`${this.#file}: ${(error as Error).message} Delete it to log in afresh.`);
      }
    }
    let snapshot: AccountSnapshot | null;
    try {
      snapshot = JSON.parse(text) as AccountSnapshot | null;
    } catch {
      // A torn or hand-edited snapshot must not keep the account from starting; it logs in afresh.
      return undefined;
    }
    if (typeof snapshot !== 'object' || snapshot === null) return undefined;
    // A plaintext file from before encryption was on (its cookies must not stay readable on disk),
    // or one under a key kept only to decrypt: rewritten under the current key.
    if (this.#box && !this.#box.isCurrent(stored)) await this.#write(text);
    if (snapshot.sessionStorage === undefined) return snapshot;
    const sessionStorage = parseSessionStorage(snapshot.sessionStorage);
    return { ...snapshot, sessionStorage };
  }

  /** Writes atomically (temp file + rename) and readable by the owner only: it holds session cookies. */
  async save(snapshot: AccountSnapshot): Promise<void> {
    await this.#write(JSON.stringify(snapshot));
  }

  async #write(json: string): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    await writeFile(temporary, this.#box ? this.#box.encrypt(json) : json, { mode: 0o600 });
    await rename(temporary, this.#file);
  }

  async clear(): Promise<void> {
    await this.save({ cookies: [], origins: [] });
  }
}
