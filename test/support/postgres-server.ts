/**
 * Test support: a throwaway real Postgres cluster (Debian's `postgresql` package, binaries in
 * /usr/lib/postgresql/15/bin), or the server `DATABASE_URL` names. `startPostgres()` runs initdb in a
 * temp dir, starts `postgres` on a free loopback port with its unix socket in that dir (as the
 * `postgres` OS user when we are root, since Postgres refuses root), and returns a URL plus `stop()`,
 * which stops the cluster and deletes the dir. `createDatabase()` gives each test file its own
 * database so files running in parallel cannot see each other's rows.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** postgres://… of the server's default database (a superuser). */
  url: string;
  /** A fresh, empty database on this server; returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** Why Postgres tests cannot run here, or undefined when they can. */
export function postgresUnavailableReason(): string | undefined {
  if (process.env.DATABASE_URL) return undefined;
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'postgres'))) {
    return `no Postgres binaries in ${BIN} and no DATABASE_URL set`;
  }
  return undefined;
}

/**
 * For `describe(…, { skip })`: the skip reason, printed; in CI (`process.env.CI` set) a missing
 * Postgres is an error instead, so the Postgres half of the suite can never vanish silently there.
 */
export function postgresSkip(): string | false {
  const reason = postgresUnavailableReason();
  if (reason === undefined) return false;
  if (process.env.CI) throw new Error(`Postgres tests cannot run in CI: ${reason}`);
  console.log(`# skipping Postgres tests: ${reason}`);
  return reason;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ownedByPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited early:\n${output()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not start:\n${output()}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function withDatabases(url: string, stop: () => Promise<void>): PostgresServer {
  return {
    url,
    async createDatabase() {
      const name = `wcg_test_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      const parsed = new URL(url);
      parsed.pathname = `/${name}`;
      return parsed.toString();
    },
    stop,
  };
}

/** Starts a throwaway cluster (or wraps `DATABASE_URL`). Throws when neither is available. */
export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.DATABASE_URL;
  if (external) return withDatabases(external, async () => {});
  const reason = postgresUnavailableReason();
  if (reason !== undefined) throw new Error(reason);

  const dir = mkdtempSync(join(tmpdir(), 'wcg-pg-'));
  const owner = ownedByPostgresUser();
  // As root, initdb and postgres run as the `postgres` OS user (Node sets uid/gid on the child
  // itself, so signals reach postgres directly rather than a runuser wrapper).
  const as = owner ?? {};
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const dataDir = join(dir, 'data');
  execFileSync(
    join(BIN, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { stdio: 'pipe', cwd: dir, ...as },
  );
  const port = await freePort();
  const child = spawn(
    join(BIN, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...as },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      // SIGINT = "fast shutdown": clients are disconnected, the cluster stops cleanly.
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return withDatabases(url, stop);
}
