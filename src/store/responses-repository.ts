import type { Kysely } from 'kysely';
import type { ChatMessage } from '../core/chat-request.ts';
import { decodeJson, encodeJson } from './json-codec.ts';
import type { Database } from './schema.ts';

/** A Responses API response kept for `previous_response_id`. */
export interface StoredResponse {
  id: string;
  /** The API key that created it; only that key can read it back. */
  keyId: string;
  model: string;
  createdAt: Date;
  expiresAt: Date;
  /** The full canonical history the response answered (previous responses already expanded). */
  requestMessages: ChatMessage[];
  /** The output as the dialect rendered it (JSON-serializable). */
  output: unknown;
}

export interface ResponsesRepository {
  save(response: StoredResponse): Promise<void>;
  /** Undefined when absent, expired or owned by another key: callers cannot tell these apart. */
  get(id: string, keyId: string, now?: Date): Promise<StoredResponse | undefined>;
  /** Deletes expired responses; returns how many went. */
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
      };
      await db
        .insertInto('stored_responses')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
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
      return {
        id: row.id,
        keyId: row.key_id,
        model: row.model,
        createdAt: new Date(Number(row.created_at)),
        expiresAt: new Date(Number(row.expires_at)),
        requestMessages: decodeJson(row.request_messages_json) as ChatMessage[],
        output: decodeJson(row.output_json),
      };
    },

    async purgeExpired(now) {
      const result = await db
        .deleteFrom('stored_responses')
        .where('expires_at', '<=', now.getTime())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
