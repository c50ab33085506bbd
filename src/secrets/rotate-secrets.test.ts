import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runSecrets } from '../cli/commands/secrets-command.ts';
import { createLogger } from '../core/logger.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { STORAGE_STATE_FILE, StorageStateStore } from '../transports/browser/storage-state-store.ts';
import { loadSecretBox, SECRET_KEY_FILE } from './master-key.ts';
import { rotateSecrets, secretsStatus } from './rotate-secrets.ts';
import { keyIdOf, SecretBox } from './secret-box.ts';

const PASSWORD = 'site-password-rotate-4e2a';
const COOKIE = 'cookie-value-rotate-91bd';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('trace', sink) };
}

const snapshotWith = (value: string) => ({
  cookies: [
    {
      name: 'sid',
      value,
      domain: 'chat.example',
      path: '/',
      expires: -1,
      httpOnly: true,
      secure: true,
      sameSite: 'Lax' as const,
    },
  ],
  origins: [],
});

async function seed(store: Store, dataDir: string, box: SecretBox): Promise<void> {
  const row = (id: string, secrets: string | null, deleted = false) => ({
    id,
    site_id: 'demo',
    origin: 'runtime' as const,
    settings_json: '{}',
    secrets,
    deleted_at: deleted ? 2 : null,
    created_at: 1,
    updated_at: 1,
  });
  await store.db
    .insertInto('site_accounts')
    .values([
      row('a', box.encrypt(JSON.stringify({ password: `${PASSWORD}-a` }))),
      row('b', null),
      row('c', box.encrypt(JSON.stringify({ password: `${PASSWORD}-c` })), true),
    ])
    .execute();
  const browser = join(dataDir, 'browser');
  await new StorageStateStore(join(browser, 'enc'), { secretBox: box }).save(snapshotWith(`${COOKIE}-enc`));
  // Written before encryption was on.
  await new StorageStateStore(join(browser, 'plain')).save(snapshotWith(`${COOKIE}-plain`));
  await mkdir(join(browser, 'empty'), { recursive: true });
}

async function storedValues(store: Store, dataDir: string): Promise<string[]> {
  const rows = await store.db.selectFrom('site_accounts').select('secrets').orderBy('id').execute();
  const files = await Promise.all(
    ['enc', 'plain'].map((account) =>
      readFile(join(dataDir, 'browser', account, STORAGE_STATE_FILE), 'utf8'),
    ),
  );
  return [...rows.flatMap((r) => (r.secrets === null ? [] : [r.secrets])), ...files];
}

/** Every value opens with `box` and is under its current key; the plaintext is what was seeded. */
function assertAllUnder(box: SecretBox, values: string[]): void {
  assert.equal(values.length, 4);
  for (const value of values) assert.ok(box.isCurrent(value), value.slice(0, 20));
  assert.deepEqual(
    values.map((v) => box.decrypt(v)),
    [
      JSON.stringify({ password: `${PASSWORD}-a` }),
      JSON.stringify({ password: `${PASSWORD}-c` }),
      JSON.stringify(snapshotWith(`${COOKIE}-enc`)),
      JSON.stringify(snapshotWith(`${COOKIE}-plain`)),
    ],
  );
}

function assertNothingSecret(text: string, keys: Buffer[]): void {
  assert.ok(!text.includes(PASSWORD), 'a password');
  assert.ok(!text.includes(COOKIE), 'a cookie');
  for (const key of keys)
    for (const encoding of ['hex', 'base64', 'base64url'] as const)
      assert.ok(!text.includes(key.toString(encoding)), `a ${encoding} key`);
}

describe('rotateSecrets on a real SQLite store', () => {
  let root: string;
  let count = 0;
  const fresh = async () => {
    const dataDir = join(root, `d${++count}`);
    const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'gateway.sqlite') });
    return { dataDir, store };
  };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'wcg-rotate-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('key file: a new key, every row and session file re-encrypted, the old key gone', async () => {
    const { dataDir, store } = await fresh();
    const { lines, logger } = capturedLogger();
    try {
      const oldBox = await loadSecretBox({ dataDir, env: {}, logger });
      await seed(store, dataDir, oldBox);
      const keyFile = join(dataDir, SECRET_KEY_FILE);
      const oldKey = Buffer.from(JSON.parse(await readFile(keyFile, 'utf8')).keys[0].key, 'base64');
      const before = await secretsStatus({ dataDir, db: store.db, env: {}, logger });
      assert.deepEqual(before.rows, { total: 2, current: 2, oldKey: 0, unknownKey: 0, plaintext: 0 });
      assert.deepEqual(before.files, { total: 2, current: 1, oldKey: 0, unknownKey: 0, plaintext: 1 });

      const result = await rotateSecrets({ dataDir, db: store.db, env: {}, logger });
      assert.equal(result.source, 'file');
      assert.deepEqual(result.rows, { reencrypted: 2, encrypted: 0, unchanged: 0 });
      assert.deepEqual(result.files, { reencrypted: 1, encrypted: 1, unchanged: 0 });
      assert.deepEqual(result.previousKeyIds, [oldBox.currentKeyId]);
      assert.equal(result.keptOldKeys, false);
      assert.notEqual(result.currentKeyId, oldBox.currentKeyId);

      const file = JSON.parse(await readFile(keyFile, 'utf8'));
      assert.deepEqual(
        file.keys.map((k: { id: string }) => k.id),
        [result.currentKeyId],
      );
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      const newKey = Buffer.from(file.keys[0].key, 'base64');
      const newBox = await loadSecretBox({ dataDir, env: {}, logger });
      const values = await storedValues(store, dataDir);
      assertAllUnder(newBox, values);
      // Only the new key opens them: the old one is not even asked.
      for (const value of values) assert.throws(() => oldBox.decrypt(value), /not configured/);
      assert.throws(() => new SecretBox([{ id: result.currentKeyId, key: oldKey }]).decrypt(values[0]!));
      assertNothingSecret(values.join('\n'), [oldKey, newKey]);

      const afterStatus = await secretsStatus({ dataDir, db: store.db, env: {}, logger });
      assert.deepEqual(afterStatus.keyIds, [result.currentKeyId]);
      assert.deepEqual(afterStatus.files, { total: 2, current: 2, oldKey: 0, unknownKey: 0, plaintext: 0 });
      assertNothingSecret(lines.join(''), [oldKey, newKey]);
      assert.ok(lines.some((line) => line.includes('secrets rotated')));
    } finally {
      await store.close();
    }
  });

  test('env keys: previous → current, idempotent, and then the previous key can go', async () => {
    const { dataDir, store } = await fresh();
    const { lines, logger } = capturedLogger();
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    try {
      const before = await loadSecretBox({
        dataDir,
        env: { GATEWAY_SECRET_KEY: k1.toString('base64') },
        logger,
      });
      await seed(store, dataDir, before);
      const env = {
        GATEWAY_SECRET_KEY: k2.toString('hex'),
        GATEWAY_SECRET_KEY_PREVIOUS: k1.toString('base64'),
      };
      const status = await secretsStatus({ dataDir, db: store.db, env, logger });
      assert.equal(status.source, 'env');
      assert.deepEqual(status.keyIds, [keyIdOf(k2), keyIdOf(k1)]);
      assert.equal(status.rows.oldKey, 2);

      const result = await rotateSecrets({ dataDir, db: store.db, env, logger });
      assert.equal(result.source, 'env');
      assert.equal(result.currentKeyId, keyIdOf(k2));
      assert.deepEqual(result.previousKeyIds, [keyIdOf(k1)]);
      assert.deepEqual(result.rows, { reencrypted: 2, encrypted: 0, unchanged: 0 });
      assert.deepEqual(result.files, { reencrypted: 1, encrypted: 1, unchanged: 0 });
      assert.equal(result.leftoverKeyFile, undefined);
      await assert.rejects(stat(join(dataDir, SECRET_KEY_FILE)), { code: 'ENOENT' });

      const onlyNew = await loadSecretBox({
        dataDir,
        env: { GATEWAY_SECRET_KEY: k2.toString('base64') },
        logger,
      });
      assertAllUnder(onlyNew, await storedValues(store, dataDir));
      const again = await rotateSecrets({ dataDir, db: store.db, env, logger });
      assert.deepEqual(again.rows, { reencrypted: 0, encrypted: 0, unchanged: 2 });
      assert.deepEqual(again.files, { reencrypted: 0, encrypted: 0, unchanged: 2 });
      assertNothingSecret(lines.join(''), [k1, k2]);
    } finally {
      await store.close();
    }
  });

  test('a value no key opens stops the rotation before anything changed', async () => {
    const { dataDir, store } = await fresh();
    const { logger } = capturedLogger();
    try {
      const box = await loadSecretBox({ dataDir, env: {}, logger });
      await seed(store, dataDir, box);
      const stranger = randomBytes(32);
      await store.db
        .updateTable('site_accounts')
        .set({ secrets: new SecretBox([{ id: keyIdOf(stranger), key: stranger }]).encrypt('x') })
        .where('id', '=', 'c')
        .execute();
      const keyFile = await readFile(join(dataDir, SECRET_KEY_FILE), 'utf8');
      const values = await storedValues(store, dataDir);
      await assert.rejects(rotateSecrets({ dataDir, db: store.db, env: {}, logger }), (error: Error) => {
        assert.match(error.message, /^Nothing was rotated: 1 stored secret/);
        assert.match(error.message, /site_accounts 'c'/);
        assertNothingSecret(error.message, [stranger]);
        return true;
      });
      assert.equal(await readFile(join(dataDir, SECRET_KEY_FILE), 'utf8'), keyFile);
      assert.deepEqual(await storedValues(store, dataDir), values);
    } finally {
      await store.close();
    }
  });

  test('the CLI: secrets status and secrets rotate print counts', async () => {
    const dataDir = join(root, 'cli');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const env = {};
    assert.equal(await runSecrets(['status', '--data-dir', dataDir], io, env), 0, err.join('\n'));
    assert.match(out.join('\n'), /No key yet/);
    await assert.rejects(stat(join(dataDir, SECRET_KEY_FILE)), { code: 'ENOENT' });

    const { logger } = capturedLogger();
    const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'gateway.sqlite') });
    try {
      await seed(store, dataDir, await loadSecretBox({ dataDir, env, logger }));
    } finally {
      await store.close();
    }
    out.length = 0;
    assert.equal(await runSecrets(['rotate', '--data-dir', dataDir], io, env), 0, err.join('\n'));
    const printed = out.join('\n');
    assert.match(printed, /^site_accounts secrets: 2 re-encrypted, 0 encrypted from plaintext/m);
    assert.match(printed, /^browser sessions: 1 re-encrypted, 1 encrypted from plaintext/m);
    assert.match(printed, /Back up the key file again now/);
    out.length = 0;
    assert.equal(await runSecrets(['status', '--data-dir', dataDir], io, env), 0);
    assert.match(
      out.join('\n'),
      /site_accounts secrets: 2 stored: 2 under the current key, 0 under an older key/,
    );
    assert.equal(await runSecrets(['shred'], io, env), 2);
  });
});
