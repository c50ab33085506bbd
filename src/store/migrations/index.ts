import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.ts';

/**
 * Every migration, keyed by name; Kysely applies them in name order. Listed in code rather than
 * read from the folder so bundling or a changed working directory cannot lose one.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
