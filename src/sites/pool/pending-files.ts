import { createHash } from 'node:crypto';
import type { UploadInput } from '../../site-contract/site.ts';

/**
 * Files handed to the pool before it knows which account will send the turn: kept (by content
 * hash, least recently used out first, within a byte budget) until the chosen account uploads them.
 */
export class PendingFiles {
  readonly #files = new Map<string, UploadInput>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The pool's handle for the file (`pool~<sha256>`). */
  put(file: UploadInput): string {
    const handle = `pool~${createHash('sha256').update(file.data).digest('hex')}`;
    const known = this.#files.get(handle);
    if (known) {
      this.#files.delete(handle);
      this.#files.set(handle, known);
      return handle;
    }
    this.#files.set(handle, { ...file, data: new Uint8Array(file.data) });
    this.#bytes += file.data.byteLength;
    for (const [key, entry] of this.#files) {
      if (this.#bytes <= this.#maxBytes || key === handle) break;
      this.#files.delete(key);
      this.#bytes -= entry.data.byteLength;
    }
    return handle;
  }

  get(handle: string): UploadInput | undefined {
    return this.#files.get(handle);
  }

  static isHandle(fileId: string): boolean {
    return fileId.startsWith('pool~');
  }
}
