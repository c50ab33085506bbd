import type { Page } from '../../../transports/browser/browser-library.ts';
import { firstMatch } from '../json-path.ts';
import type { RecipeUi } from '../recipe-schema.ts';
import type { TemplateVars } from '../template.ts';
import { selectorOf } from './run-steps.ts';

type ThreadIdSource = NonNullable<RecipeUi['threadId']>;
type StorageSource = NonNullable<ThreadIdSource['storage']>;

/**
 * The open chat's id as the recipe says the page keeps it: in the URL, in an element (a hidden
 * input's value, a data attribute) or in page storage (localStorage, sessionStorage, IndexedDB).
 * Undefined while the page does not show one yet.
 */
export async function readThreadId(
  page: Page,
  source: ThreadIdSource,
  vars: TemplateVars,
): Promise<string | undefined> {
  if (source.url) return source.url.exec(page.url())?.[1] || undefined;
  if (source.selector) {
    const element = page.locator(selectorOf(source.selector, vars)).last();
    if ((await element.count()) === 0) return undefined;
    const value = source.attribute
      ? await element.getAttribute(source.attribute, { timeout: 1000 }).catch(() => null)
      : await element.textContent({ timeout: 1000 }).catch(() => null);
    return value?.trim() || undefined;
  }
  if (source.storage) return fromStored(await readStorage(page, source.storage), source.storage);
  return undefined;
}

function fromStored(raw: unknown, storage: StorageSource): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  let value: unknown = raw;
  if (storage.path) {
    let data = raw;
    if (typeof raw === 'string') {
      try {
        data = JSON.parse(raw);
      } catch {
        return undefined;
      }
    }
    value = firstMatch(storage.path, data);
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function readStorage(page: Page, storage: StorageSource): Promise<unknown> {
  const request = { area: storage.area, key: storage.key, database: storage.database, store: storage.store };
  return page
    .evaluate(async ({ area, key, database, store }) => {
      if (area === 'local') return localStorage.getItem(key);
      if (area === 'session') return sessionStorage.getItem(key);
      return new Promise<unknown>((resolve) => {
        const open = indexedDB.open(database ?? '');
        open.onerror = () => resolve(undefined);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store ?? '')) {
            db.close();
            resolve(undefined);
            return;
          }
          const get = db
            .transaction(store ?? '', 'readonly')
            .objectStore(store ?? '')
            .get(key);
          get.onsuccess = () => {
            db.close();
            resolve(get.result);
          };
          get.onerror = () => {
            db.close();
            resolve(undefined);
          };
        };
      });
    }, request)
    .catch(() => undefined);
}
