import { AsyncLocalStorage } from 'node:async_hooks';

/** Which site and site account served a request: for the usage ledger and admin logs, never the caller. */
export interface ServedBy {
  siteId?: string;
  accountId?: string;
}

const current = new AsyncLocalStorage<ServedBy>();

/** Runs one request's work with a record that the layers below fill in as they learn who served it. */
export function runServedBy<T>(record: ServedBy, work: () => T): T {
  return current.run(record, work);
}

/** Notes the serving site or account on the running request's record (no-op outside a request). */
export function noteServedBy(fields: ServedBy): void {
  const record = current.getStore();
  if (record) Object.assign(record, fields);
}
