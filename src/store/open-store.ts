import { Kysely } from 'kysely';
import { createDialect, type StoreConfig } from './dialect.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';

export interface Store {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/** Opens the database and migrates it to the latest schema before anyone can query it. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const db = new Kysely<Database>({ dialect: createDialect(config) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, close: () => db.destroy() };
}
