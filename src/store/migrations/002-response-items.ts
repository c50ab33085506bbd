import type { Kysely } from 'kysely';

/**
 * Responses API state: the response object as the client received it (`GET /v1/responses/{id}`),
 * its input items (`…/input_items`), and every input and output item by id, per API key, so a later
 * request's `item_reference` can be resolved. Portable schema builder (SQLite and Postgres).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Null on rows stored before this migration: those can still be continued, not retrieved.
  await db.schema.alterTable('stored_responses').addColumn('response_json', 'text').execute();
  await db.schema.alterTable('stored_responses').addColumn('input_items_json', 'text').execute();
  await db.schema
    .createTable('stored_response_items')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('response_id', 'text', (c) => c.notNull())
    .addColumn('item_json', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // Item ids are only unique per key: one key cannot shadow or read another key's items.
    .addPrimaryKeyConstraint('stored_response_items_pk', ['key_id', 'id'])
    .execute();
  await db.schema
    .createIndex('stored_response_items_response')
    .on('stored_response_items')
    .column('response_id')
    .execute();
  await db.schema
    .createIndex('stored_response_items_expires_at')
    .on('stored_response_items')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stored_response_items').execute();
  await db.schema.alterTable('stored_responses').dropColumn('input_items_json').execute();
  await db.schema.alterTable('stored_responses').dropColumn('response_json').execute();
}
