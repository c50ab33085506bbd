import type { Kysely } from 'kysely';

/**
 * Account pool: accounts added at runtime (and admin changes to configured ones), their secrets
 * only as AES-256-GCM ciphertext (`secrets`, see src/secrets/), and the health of each account per
 * model (cooldowns survive a restart and are shared by every instance on the same database).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('site_accounts')
    // Account ids are unique across sites (the admin API addresses them by id alone).
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull())
    // 'runtime' = added through the admin API; 'config' = an admin change to a configured account.
    .addColumn('origin', 'text', (c) => c.notNull())
    // Non-secret settings (enabled, weight, models, maxConcurrent…) as JSON.
    .addColumn('settings_json', 'text', (c) => c.notNull())
    // Secret settings (credentials, cookies, proxy URL) as one ciphertext; null = none.
    .addColumn('secrets', 'text')
    // A removed configured account stays removed after a restart.
    .addColumn('deleted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_health')
    .addColumn('account_id', 'text', (c) => c.notNull())
    // '*' = the whole account (session, ban); else the site's model id.
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('state_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_health_pk', ['account_id', 'model'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_health').execute();
  await db.schema.dropTable('site_accounts').execute();
}
