import { randomUUID } from 'node:crypto';
import type { SiteAttachment, UploadInput } from '../../../site-contract/site.ts';

const PREFIX = 'staged_';

/**
 * Files "uploaded" to a UI-driven site wait here until the turn that uses them is sent, because
 * the UI attaches a file through its file input in the same composer as the message. Unused files
 * expire.
 */
export class StagedUploads {
  readonly #files = new Map<string, { file: UploadInput; expires: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs = 30 * 60_000) {
    this.#ttlMs = ttlMs;
  }

  stage(file: UploadInput): SiteAttachment {
    this.#sweep();
    const fileId = `${PREFIX}${randomUUID()}`;
    this.#files.set(fileId, { file, expires: Date.now() + this.#ttlMs });
    return { fileId, mediaType: file.mediaType, filename: file.filename };
  }

  static isStaged(fileId: string): boolean {
    return fileId.startsWith(PREFIX);
  }

  get(fileId: string): UploadInput | undefined {
    return this.#files.get(fileId)?.file;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.#files) if (entry.expires < now) this.#files.delete(id);
  }
}
