/**
 * Test support: runs a store test suite once per engine — SQLite (in memory) and a real Postgres
 * (a throwaway cluster per test file, or DATABASE_URL), each suite on a fresh database. The Postgres
 * half is skipped with a printed reason when no Postgres is available, and fails in CI.
 */
import { after, before, describe } from 'node:test';
import type { StoreConfig } from '../../src/store/dialect.ts';
import { type PostgresServer, postgresSkip, startPostgres } from './postgres-server.ts';

export interface StoreEngine {
  name: 'sqlite' | 'postgres';
  /** A config for a fresh, empty database on this engine. */
  fresh(): Promise<StoreConfig>;
}

let server: Promise<PostgresServer> | undefined;
let users = 0;

export function describeEachStore(title: string, body: (engine: StoreEngine) => void): void {
  describe(`${title} (sqlite)`, () => {
    body({ name: 'sqlite', fresh: async () => ({ kind: 'sqlite', path: ':memory:' }) });
  });
  const skip = postgresSkip();
  describe(`${title} (postgres)`, { skip }, () => {
    before(() => {
      users += 1;
      server ??= startPostgres();
    });
    after(async () => {
      users -= 1;
      if (users === 0 && server !== undefined) {
        const running = server;
        server = undefined;
        await (await running).stop();
      }
    });
    body({
      name: 'postgres',
      fresh: async () => ({ kind: 'postgres', url: await (await server!).createDatabase(), poolSize: 20 }),
    });
  });
}
