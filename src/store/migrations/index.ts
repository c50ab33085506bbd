import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.ts';
import * as m002 from './002-response-items.ts';
import * as m003 from './003-multi-user.ts';
import * as m004 from './004-account-pool.ts';

/**
 * Every migration, keyed by name; Kysely applies them in name order. Listed in code rather than
 * read from the folder so bundling or a changed working directory cannot lose one.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
  '002-response-items': m002,
  '003-multi-user': m003,
  '004-account-pool': m004,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
