import { GatewayError } from '../../core/errors.ts';
import type { StoredInputItem } from './input-items.ts';

export interface InputItemsQuery {
  limit?: unknown;
  order?: unknown;
  after?: unknown;
  before?: unknown;
}

export interface InputItemsPage {
  object: 'list';
  data: StoredInputItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

/**
 * `GET /v1/responses/{id}/input_items` as the official API pages it: `limit` 1–100 (default 20),
 * `order` `desc` by default (newest input first), `after` / `before` cursors naming an item id.
 */
export function pageInputItems(items: readonly StoredInputItem[], query: InputItemsQuery): InputItemsPage {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalid(`Invalid 'limit': ${String(query.limit)}. Expected an integer from 1 to 100.`, 'limit');
  }
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw invalid(`Invalid 'order': '${String(order)}'. Expected 'asc' or 'desc'.`, 'order');
  }
  let ordered = order === 'asc' ? [...items] : [...items].reverse();
  if (query.after !== undefined) {
    const at = ordered.findIndex((item) => item.id === query.after);
    if (at === -1) throw invalid(`No input item with id '${String(query.after)}' in this response.`, 'after');
    ordered = ordered.slice(at + 1);
  }
  if (query.before !== undefined) {
    const at = ordered.findIndex((item) => item.id === query.before);
    if (at === -1)
      throw invalid(`No input item with id '${String(query.before)}' in this response.`, 'before');
    // The page just before the cursor: the `limit` items closest to it.
    ordered = ordered.slice(Math.max(0, at - limit), at);
    return page(ordered, at - limit > 0);
  }
  return page(ordered.slice(0, limit), ordered.length > limit);
}

function page(data: StoredInputItem[], hasMore: boolean): InputItemsPage {
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
