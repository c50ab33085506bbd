import type { Kysely } from 'kysely';

/**
 * Multi-user: users with token quotas, hashed API keys, quota reservations, the per-request usage
 * ledger, its daily roll-up per (user, model) and the admin audit log. Portable schema builder only
 * (runs on SQLite and Postgres); times are epoch milliseconds in bigint columns, ids are text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    // null = unlimited
    .addColumn('token_quota', 'bigint')
    .addColumn('used_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reserved_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    // Per-user limits for the admission issue (JSON), unused here.
    .addColumn('limits_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_active_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // SHA-256 (hex) of the key; the key itself is never stored.
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    // JSON array of model globs; null = every model.
    .addColumn('models_json', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('quota_reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('tokens', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('quota_reservations_expires_at')
    .on('quota_reservations')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('usage')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('dialect', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('reasoning_tokens', 'bigint', (c) => c.notNull())
    .addColumn('prompt_measured', 'integer', (c) => c.notNull())
    .addColumn('completion_measured', 'integer', (c) => c.notNull())
    .addColumn('reasoning_measured', 'integer', (c) => c.notNull())
    // What was charged against the quota: sum(charged_tokens) == users.used_tokens.
    .addColumn('charged_tokens', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_type', 'text')
    .addColumn('ttft_ms', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('stream', 'integer', (c) => c.notNull())
    .addColumn('client_aborted', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_user_time').on('usage').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('usage_key_time').on('usage').columns(['key_id', 'created_at']).execute();

  await db.schema
    .createTable('usage_daily')
    // UTC day as YYYY-MM-DD
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('reasoning_tokens', 'bigint', (c) => c.notNull())
    .addColumn('charged_tokens', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_daily_pk', ['day', 'user_id', 'model'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

  // Threads and stored responses stay keyed by the key id (a user's keys never share threads);
  // the owning user is recorded too so a deleted user's threads can be found.
  await db.schema.alterTable('conversation_threads').addColumn('user_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation_threads').dropColumn('user_id').execute();
  for (const table of ['audit_log', 'usage_daily', 'usage', 'quota_reservations', 'api_keys', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
