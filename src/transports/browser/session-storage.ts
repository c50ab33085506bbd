import type { Page } from './browser-library.ts';

/**
 * sessionStorage of an account, kept in its snapshot next to Playwright's storage state (which has
 * cookies, localStorage and IndexedDB but no sessionStorage). Some sites keep their login there.
 *
 * Reading: one `DOMStorage.getDOMStorageItems` per open page of the account (over a raw CDP
 * session: no script runs in the page), per origin the union over the pages, the later page winning
 * per key. Origins no open page could be read from keep their saved entries, so a save with no pages
 * open loses nothing.
 *
 * Restoring: every page the account opens gets, before its first document, a CDP
 * `Page.addScriptToEvaluateOnNewDocument` (in an isolated world, before any page script) that writes
 * the saved entries of the document's origin only, and only keys that are absent, so what the page
 * writes itself always wins. Like a restored browser tab, each origin is seeded once per page: when
 * the page first commits a document of that origin the origin is dropped from the script, so a key
 * the site deletes later is not brought back on the next navigation.
 *
 * Why not `context.addInitScript`: patchright implements it with a context-wide `**\/*` route, which
 * pauses every request of the context through the driver, disables the HTTP cache and makes every
 * request carry `Cache-Control: no-cache` / `Pragma: no-cache` — for the life of the context.
 */

/** The saved sessionStorage of one origin (`https://host[:port]`), in storage order. */
export interface SessionStorageOrigin {
  origin: string;
  entries: Array<[string, string]>;
}

/** Keys of the gateway's own page bookkeeping (e.g. the recipe recorder's event log): not site state. */
const GATEWAY_KEY_PREFIX = '__wcg_';

/** How long one page may take to hand over its sessionStorage (a page stuck in a dialog never does). */
export const READ_TIMEOUT_MS = 2_000;

const SEED_WORLD = '__wcg_session_seed';

/**
 * Runs before every document of a seeded page; called with the saved origins as its one argument
 * (serialised as JSON, never spliced into the code). Plain JavaScript text: the page gets exactly this.
 */
const SEED_FUNCTION = `function (saved) {
  try {
    for (const { origin, entries } of saved) {
      if (origin !== location.origin) continue;
      for (const [key, value] of entries) {
        if (sessionStorage.getItem(key) === null) sessionStorage.setItem(key, value);
      }
    }
  } catch {}
}`;

function seedSource(saved: readonly SessionStorageOrigin[]): string {
  // JSON is valid JavaScript literal syntax (ES2019+), so this is a plain call with a data argument.
  return `(${SEED_FUNCTION})(${JSON.stringify(saved)});`;
}

/** `https://host[:port]` of an http(s) URL, else undefined (about:blank, data:, chrome-error:…). */
export function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The saved entries from a snapshot file (hand-edited or older: anything malformed is dropped). */
export function parseSessionStorage(value: unknown): SessionStorageOrigin[] {
  if (!Array.isArray(value)) return [];
  const out: SessionStorageOrigin[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { origin, entries } = item as { origin?: unknown; entries?: unknown };
    if (typeof origin !== 'string' || httpOrigin(origin) !== origin || !Array.isArray(entries)) continue;
    const pairs = entries.filter(
      (entry): entry is [string, string] =>
        Array.isArray(entry) &&
        entry.length === 2 &&
        typeof entry[0] === 'string' &&
        typeof entry[1] === 'string',
    );
    if (pairs.length > 0) out.push({ origin, entries: pairs });
  }
  return out;
}

/** Per origin the union of the reads, a later read winning per key; the gateway's own keys dropped. */
export function unionByOrigin(reads: readonly SessionStorageOrigin[]): SessionStorageOrigin[] {
  const byOrigin = new Map<string, Map<string, string>>();
  for (const read of reads) {
    let entries = byOrigin.get(read.origin);
    if (!entries) {
      entries = new Map();
      byOrigin.set(read.origin, entries);
    }
    for (const [key, value] of read.entries) if (!key.startsWith(GATEWAY_KEY_PREFIX)) entries.set(key, value);
  }
  return [...byOrigin].map(([origin, entries]) => ({ origin, entries: [...entries] }));
}

/**
 * The snapshot after a save: origins that were read replace their saved entries (an origin read as
 * empty is dropped), the others keep theirs.
 */
export function mergeSessionStorage(
  saved: readonly SessionStorageOrigin[],
  read: readonly SessionStorageOrigin[],
): SessionStorageOrigin[] {
  const byOrigin = new Map(saved.map((item) => [item.origin, item]));
  for (const item of read) byOrigin.set(item.origin, item);
  return [...byOrigin.values()].filter((item) => item.entries.length > 0);
}

/**
 * The sessionStorage of the given pages, per origin (see `unionByOrigin`). Closed, crashed, stuck or
 * non-http pages are skipped; this never throws.
 */
export async function readSessionStorage(
  pages: readonly Page[],
  timeoutMs = READ_TIMEOUT_MS,
): Promise<SessionStorageOrigin[]> {
  const reads = await Promise.all(pages.map((page) => readPage(page, timeoutMs)));
  return unionByOrigin(reads.filter((read): read is SessionStorageOrigin => read !== undefined));
}

/**
 * One page's sessionStorage for its main document's origin, read over a short-lived raw CDP session
 * (`DOMStorage.getDOMStorageItems`): no script runs in the page, and a page that crashes or closes
 * meanwhile only fails this read (the library's own evaluation machinery is not involved).
 */
async function readPage(page: Page, timeoutMs: number): Promise<SessionStorageOrigin | undefined> {
  if (page.isClosed()) return undefined;
  const origin = httpOrigin(page.url());
  if (!origin) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref();
  });
  const reading = (async () => {
    const session = await page.context().newCDPSession(page);
    try {
      const { entries } = await session.send('DOMStorage.getDOMStorageItems', {
        storageId: { securityOrigin: origin, isLocalStorage: false },
      });
      return { origin, entries: entries.filter((entry) => entry.length === 2) as Array<[string, string]> };
    } finally {
      await session.detach().catch(() => undefined);
    }
  })().catch(() => undefined);
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Frame = ReturnType<Page['mainFrame']>;

/**
 * Arranges for `page` (new, before its first navigation) to get the saved entries of each origin
 * when it first loads a document of that origin. Rejects if the page cannot be instrumented (it
 * closed); the page is then simply not seeded.
 */
export async function seedSessionStorage(page: Page, saved: readonly SessionStorageOrigin[]): Promise<void> {
  const remaining = new Map(
    saved.filter((item) => item.entries.length > 0).map((item) => [item.origin, item]),
  );
  if (remaining.size === 0) return;
  const session = await page.context().newCDPSession(page);
  const addScript = async () =>
    (
      await session.send('Page.addScriptToEvaluateOnNewDocument', {
        source: seedSource([...remaining.values()]),
        worldName: SEED_WORLD,
      })
    ).identifier;
  let identifier: string;
  try {
    // Without Page.enable on this session, the script is registered but never runs.
    await session.send('Page.enable');
    identifier = await addScript();
  } catch (error) {
    await session.detach().catch(() => undefined);
    throw error;
  }
  let updating = Promise.resolve();
  const onNavigated = (frame: Frame) => {
    const origin = httpOrigin(frame.url());
    // The document was created with the script in place, so this origin has had its entries.
    if (!origin || !remaining.delete(origin)) return;
    updating = updating
      .then(async () => {
        await session.send('Page.removeScriptToEvaluateOnNewDocument', { identifier });
        if (remaining.size > 0) {
          identifier = await addScript();
        } else {
          page.off('framenavigated', onNavigated);
          await session.detach();
        }
      })
      .catch(() => undefined);
  };
  page.on('framenavigated', onNavigated);
}
