import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Dialect, SqliteDialect } from 'kysely';

/**
 * Where the store lives. Only SQLite today; a `{ kind: 'postgres'; url: string }` branch goes here
 * later (PostgresDialect over `pg`, with int8 parsed as a number) and nothing else has to change:
 * all queries and migrations use Kysely's portable builders.
 */
export type StoreConfig = { kind: 'sqlite'; path: string };

/** The one place that knows which database engine is in use. */
export function createDialect(config: StoreConfig): Dialect {
  switch (config.kind) {
    case 'sqlite': {
      if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
      const database = new BetterSqlite3(config.path);
      // WAL lets readers proceed while a turn is being recorded; the busy timeout rides out the
      // short write locks another process (a second gateway, the CLI) may hold.
      if (config.path !== ':memory:') {
        database.pragma('journal_mode = WAL');
        // In WAL mode NORMAL skips the fsync per commit yet cannot corrupt the file; a power cut can
        // lose the last few mappings, which only costs a new thread.
        database.pragma('synchronous = NORMAL');
      }
      database.pragma('busy_timeout = 5000');
      database.pragma('foreign_keys = ON');
      return new SqliteDialect({ database });
    }
  }
}
