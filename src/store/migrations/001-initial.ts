import type { Kysely } from 'kysely';

/** Initial schema: conversation thread mappings and stored Responses API responses. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('conversation_name', 'text')
    .addColumn('tip_hash', 'text')
    .addColumn('turns', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_after', 'bigint', (c) => c.notNull())
    .execute();
  // Continuation lookups go through the tip hash; unique because one transcript has one live thread
  // (NULLs do not collide in SQLite nor Postgres).
  await db.schema
    .createIndex('conversation_threads_tip_hash')
    .on('conversation_threads')
    .column('tip_hash')
    .unique()
    .execute();
  await db.schema
    .createIndex('conversation_threads_name')
    .on('conversation_threads')
    .columns(['key_id', 'site_id', 'model', 'conversation_name'])
    .unique()
    .execute();
  await db.schema
    .createIndex('conversation_threads_site_thread')
    .on('conversation_threads')
    .columns(['site_id', 'account_id', 'thread_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('conversation_threads_delete_after')
    .on('conversation_threads')
    .column('delete_after')
    .execute();

  await db.schema
    .createTable('stored_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('request_messages_json', 'text', (c) => c.notNull())
    .addColumn('output_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('stored_responses_expires_at')
    .on('stored_responses')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stored_responses').execute();
  await db.schema.dropTable('conversation_threads').execute();
}
