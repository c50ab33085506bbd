import type { SiteAttachment } from '../../site-contract/site.ts';
import { sha256Hex } from './sha256.ts';

export interface UploadablePart {
  data: Uint8Array;
  mediaType: string;
  filename?: string;
  /** Pass it when known (resolved parts carry it) to skip hashing the bytes again. */
  sha256?: string;
}

export interface UploadCache {
  /**
   * The site attachment for these bytes on this account: cached, joined to an upload already in flight,
   * or uploaded now through `upload`. `accountKey` must identify the site instance and the account
   * (file ids are only valid where they were uploaded).
   */
  getOrUpload(
    accountKey: string,
    part: UploadablePart,
    upload: () => Promise<SiteAttachment>,
  ): Promise<SiteAttachment>;
  /** Forget a file id the site no longer knows (expired, deleted), so the next turn uploads again. */
  invalidate(accountKey: string, sha256: string): void;
  readonly size: number;
}

export interface UploadCacheOptions {
  /** Entries kept across all accounts; the least recently used go first. Default 1000. */
  maxEntries?: number;
  /** Sites expire uploaded files; an older entry is uploaded again. Default 6 hours. */
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  attachment: SiteAttachment;
  storedAt: number;
}

/**
 * In-memory, per-process cache of uploaded file ids keyed by the bytes' SHA-256, so an image repeated in a
 * later turn (clients resend the whole history) is not uploaded again, and identical uploads racing in
 * parallel requests become one.
 */
export function createUploadCache(options: UploadCacheOptions = {}): UploadCache {
  const maxEntries = options.maxEntries ?? 1000;
  const ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  // Map iteration order is insertion order, so re-inserting on use makes the first key the LRU one.
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<SiteAttachment>>();

  const keyOf = (accountKey: string, sha256: string, mediaType: string) =>
    `${accountKey}\u0000${sha256}\u0000${mediaType}`;

  function lookup(key: string): SiteAttachment | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    entries.delete(key);
    if (now() - entry.storedAt > ttlMs) return undefined;
    entries.set(key, entry);
    return entry.attachment;
  }

  function store(key: string, attachment: SiteAttachment): void {
    entries.delete(key);
    entries.set(key, { attachment, storedAt: now() });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
  }

  function start(key: string, upload: () => Promise<SiteAttachment>): Promise<SiteAttachment> {
    const pending = (async () => {
      try {
        const attachment = await upload();
        store(key, attachment);
        return attachment;
      } finally {
        inFlight.delete(key);
      }
    })();
    inFlight.set(key, pending);
    return pending;
  }

  return {
    async getOrUpload(accountKey, part, upload) {
      const key = keyOf(accountKey, part.sha256 ?? sha256Hex(part.data), part.mediaType);
      const cached = lookup(key);
      if (cached !== undefined) return cached;
      const running = inFlight.get(key);
      if (running === undefined) return start(key, upload);
      try {
        return await running;
      } catch {
        // The shared upload belonged to another request (its client may simply have left); try once with ours.
        return lookup(key) ?? inFlight.get(key) ?? start(key, upload);
      }
    },
    invalidate(accountKey, sha256) {
      const prefix = `${accountKey}\u0000${sha256}\u0000`;
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
