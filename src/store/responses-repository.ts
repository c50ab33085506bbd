import type { Kysely } from 'kysely';
import type { ChatMessage } from '../core/chat-request.ts';
import { decodeJson, encodeJson } from './json-codec.ts';
import type { Database } from './schema.ts';

/** A Responses API item in wire form (`message`, `function_call`, `reasoning`, …) with its id. */
export type WireItem = Record<string, unknown> & { id: string };

/** A Responses API response kept for `previous_response_id`, retrieval and item references. */
export interface StoredResponse {
  id: string;
  /** The API key that created it; only that key can read it back. */
  keyId: string;
  model: string;
  createdAt: Date;
  expiresAt: Date;
  /** The full canonical history the response answered (previous responses already expanded). */
  requestMessages: ChatMessage[];
  /** The canonical continuation state: `{ messages, system }` (JSON-serializable). */
  output: unknown;
  /** The response object exactly as the client received it; absent on rows from before migration 002. */
  response?: Record<string, unknown> | undefined;
  /** The request's own input items, ids assigned and references resolved, in order. */
  inputItems?: WireItem[] | undefined;
}

export interface ResponsesRepository {
  /** Saves the response and indexes its input and output items by id for the same key. */
  save(response: StoredResponse): Promise<void>;
  /** Undefined when absent, expired or owned by another key: callers cannot tell these apart. */
  get(id: string, keyId: string, now?: Date): Promise<StoredResponse | undefined>;
  /** The stored items among `ids` for this key (unexpired); missing ids are simply absent. */
  items(ids: readonly string[], keyId: string, now?: Date): Promise<Map<string, WireItem>>;
  /** Deletes a response and its items; false when there was none for this key. */
  delete(id: string, keyId: string, now?: Date): Promise<boolean>;
  /** Deletes expired responses and items; returns how many responses went. */
  purgeExpired(now: Date): Promise<number>;
}

export function createResponsesRepository(db: Kysely<Database>): ResponsesRepository {
  return {
    async save(response) {
      const row = {
        id: response.id,
        key_id: response.keyId,
        model: response.model,
        created_at: response.createdAt.getTime(),
        expires_at: response.expiresAt.getTime(),
        request_messages_json: encodeJson(response.requestMessages),
        output_json: encodeJson(response.output),
        response_json: response.response === undefined ? null : encodeJson(response.response),
        input_items_json: response.inputItems === undefined ? null : encodeJson(response.inputItems),
      };
      const items = new Map<string, WireItem>();
      for (const item of response.inputItems ?? []) items.set(item.id, item);
      for (const item of outputItems(response.response)) items.set(item.id, item);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('stored_responses')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
        for (const item of items.values()) {
          const itemRow = {
            key_id: response.keyId,
            id: item.id,
            response_id: response.id,
            item_json: encodeJson(item),
            expires_at: response.expiresAt.getTime(),
          };
          await trx
            .insertInto('stored_response_items')
            .values(itemRow)
            .onConflict((oc) => oc.columns(['key_id', 'id']).doUpdateSet(itemRow))
            .execute();
        }
      });
    },

    async get(id, keyId, now = new Date()) {
      const row = await db
        .selectFrom('stored_responses')
        .selectAll()
        .where('id', '=', id)
        .where('key_id', '=', keyId)
        .where('expires_at', '>', now.getTime())
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const stored: StoredResponse = {
        id: row.id,
        keyId: row.key_id,
        model: row.model,
        createdAt: new Date(Number(row.created_at)),
        expiresAt: new Date(Number(row.expires_at)),
        requestMessages: decodeJson(row.request_messages_json) as ChatMessage[],
        output: decodeJson(row.output_json),
      };
      if (row.response_json) stored.response = decodeJson(row.response_json) as Record<string, unknown>;
      if (row.input_items_json) stored.inputItems = decodeJson(row.input_items_json) as WireItem[];
      return stored;
    },

    async items(ids, keyId, now = new Date()) {
      const found = new Map<string, WireItem>();
      if (ids.length === 0) return found;
      const rows = await db
        .selectFrom('stored_response_items')
        .select(['id', 'item_json'])
        .where('key_id', '=', keyId)
        .where('id', 'in', [...new Set(ids)])
        .where('expires_at', '>', now.getTime())
        .execute();
      for (const row of rows) found.set(row.id, decodeJson(row.item_json) as WireItem);
      return found;
    },

    async delete(id, keyId, now = new Date()) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom('stored_responses')
          .where('id', '=', id)
          .where('key_id', '=', keyId)
          .where('expires_at', '>', now.getTime())
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        await trx
          .deleteFrom('stored_response_items')
          .where('response_id', '=', id)
          .where('key_id', '=', keyId)
          .execute();
        return true;
      });
    },

    async purgeExpired(now) {
      await db.deleteFrom('stored_response_items').where('expires_at', '<=', now.getTime()).execute();
      const result = await db
        .deleteFrom('stored_responses')
        .where('expires_at', '<=', now.getTime())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function outputItems(response: Record<string, unknown> | undefined): WireItem[] {
  const output = response?.output;
  if (!Array.isArray(output)) return [];
  return output.filter(
    (item): item is WireItem =>
      item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string',
  );
}
