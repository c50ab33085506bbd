import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Dialect, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

/**
 * Where the store lives: an embedded SQLite file (default) or a Postgres server. All queries and
 * migrations use Kysely's portable builders, so nothing else knows which engine is in use.
 */
export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; poolSize?: number };

// int8 (bigint: our millisecond times and token counters) comes back from `pg` as a string by
// default; every value we store fits a double exactly, so parse it as a number. Numeric (sum()
// results) likewise. Registered once, process-wide, as `pg` only supports global type parsers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

/** The one place that knows which database engine is in use. */
export function createDialect(config: StoreConfig): Dialect {
  switch (config.kind) {
    case 'sqlite': {
      if (config.path !== ':memory:') {
        mkdirSync(dirname(config.path), { recursive: true, mode: 0o700 });
        // It holds stored prompts and answers: owner-only. SQLite gives its WAL and shared-memory
        // files the database file's mode, so creating the file 0600 first covers them too.
        closeSync(openSync(config.path, 'a', 0o600));
        chmodSync(config.path, 0o600);
      }
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
    case 'postgres': {
      const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
      // An idle client whose server went away (restart, admin shutdown) is dropped by the pool and
      // re-created on the next query; without a listener `pg` would crash the process instead.
      pool.on('error', () => {});
      return new PostgresDialect({ pool });
    }
  }
}

/** `DATABASE_URL` (postgres:// or postgresql://) picks Postgres; otherwise the SQLite file. */
export function storeConfigFrom(databaseUrl: string | undefined, sqlitePath: string): StoreConfig {
  if (databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    return { kind: 'postgres', url: databaseUrl };
  }
  return { kind: 'sqlite', path: sqlitePath };
}
