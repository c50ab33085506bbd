import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../core/logger.ts';
import { loadKeyring, loadSecretBox, parseSecretKey, SECRET_KEY_FILE, SecretKeyError } from './master-key.ts';
import { keyIdOf, SecretBox } from './secret-box.ts';

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

/** Every spelling of the key bytes, none of which may appear in `text`. */
function assertNoKey(text: string, key: Buffer): void {
  for (const encoding of ['hex', 'base64', 'base64url'] as const)
    assert.ok(!text.includes(key.toString(encoding)), `${encoding} key found`);
}

describe('master key', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'wcg-master-key-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('env key forms accepted: base64 (openssl rand -base64 32), unpadded, base64url, hex', () => {
    const key = randomBytes(32);
    for (const form of [
      key.toString('base64'),
      key.toString('base64').replace(/=$/, ''),
      key.toString('base64url'),
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      ` ${key.toString('base64')}\n`,
    ]) {
      assert.deepEqual(parseSecretKey(form, 'GATEWAY_SECRET_KEY'), key, form);
    }
  });

  test('env key forms rejected, saying what is accepted and never echoing the value', () => {
    const candidates = [
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(31).toString('hex'),
      randomBytes(33).toString('hex'),
      'correct horse battery staple correct horse',
      'z'.repeat(64),
      '',
    ];
    for (const value of candidates) {
      assert.throws(
        () => parseSecretKey(value, 'GATEWAY_SECRET_KEY'),
        (error: Error) => {
          assert.ok(error instanceof SecretKeyError);
          assert.match(error.message, /^GATEWAY_SECRET_KEY must be 32 bytes as base64/);
          assert.match(error.message, /openssl rand -base64 32/);
          assert.match(error.message, /hex \(64 characters/);
          if (value) assert.ok(!error.message.includes(value));
          return true;
        },
      );
    }
  });

  test('GATEWAY_SECRET_KEY with GATEWAY_SECRET_KEY_PREVIOUS: current encrypts, all decrypt', async () => {
    const dataDir = join(root, 'env');
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const { lines, logger } = capturedLogger();
    const oldBox = await loadSecretBox({ dataDir, env: { GATEWAY_SECRET_KEY: k1.toString('hex') }, logger });
    const older = await loadSecretBox({
      dataDir,
      env: { GATEWAY_SECRET_KEY: k2.toString('base64') },
      logger,
    });
    const box = await loadSecretBox({
      dataDir,
      env: {
        GATEWAY_SECRET_KEY: k3.toString('base64'),
        GATEWAY_SECRET_KEY_PREVIOUS: ` ${k1.toString('hex')}, ${k2.toString('base64url')} ,`,
      },
      logger,
    });
    assert.deepEqual(box.keyIds, [keyIdOf(k3), keyIdOf(k1), keyIdOf(k2)]);
    assert.equal(box.decrypt(oldBox.encrypt('one')), 'one');
    assert.equal(box.decrypt(older.encrypt('two')), 'two');
    assert.equal(box.currentKeyId, keyIdOf(k3));
    // No key file is made when the key comes from the environment.
    await assert.rejects(stat(join(dataDir, SECRET_KEY_FILE)), { code: 'ENOENT' });
    for (const key of [k1, k2, k3]) assertNoKey(lines.join(''), key);
  });

  test('a bad GATEWAY_SECRET_KEY_PREVIOUS entry, or PREVIOUS alone, is a startup error', async () => {
    const { logger } = capturedLogger();
    const dataDir = join(root, 'env-bad');
    await assert.rejects(
      loadSecretBox({
        dataDir,
        env: { GATEWAY_SECRET_KEY: randomBytes(32).toString('hex'), GATEWAY_SECRET_KEY_PREVIOUS: 'abc,def' },
        logger,
      }),
      /GATEWAY_SECRET_KEY_PREVIOUS \(entry 1 of 2\) must be 32 bytes/,
    );
    await assert.rejects(
      loadSecretBox({
        dataDir,
        env: { GATEWAY_SECRET_KEY_PREVIOUS: randomBytes(32).toString('hex') },
        logger,
      }),
      /GATEWAY_SECRET_KEY_PREVIOUS is set but GATEWAY_SECRET_KEY is not/,
    );
    await assert.rejects(
      loadSecretBox({ dataDir, env: { GATEWAY_SECRET_KEY: 'short' }, logger }),
      SecretKeyError,
    );
  });

  test('without the env var: a key file made 0600 in a 0700 dir, warned about once, then reused', async () => {
    const dataDir = join(root, 'file', 'data');
    const { lines, logger } = capturedLogger();
    const first = await loadKeyring({ dataDir, env: {}, logger });
    assert.equal(first.source, 'file');
    const path = join(dataDir, SECRET_KEY_FILE);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
    const file = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(file.version, 1);
    assert.equal(file.keys.length, 1);
    assert.deepEqual(Object.keys(file.keys[0]).sort(), ['createdAt', 'id', 'key']);
    assert.equal(file.keys[0].id, first.keys[0]!.id);

    const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 40);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].msg, /back it up/);
    assert.equal(warnings[0].path, path);

    const sealed = new SecretBox(first.keys).encrypt('session');
    const again = await loadSecretBox({ dataDir, env: {}, logger });
    assert.equal(again.decrypt(sealed), 'session');
    assert.equal(lines.length, 1, 'the second start logs nothing');
    assertNoKey(lines.join(''), first.keys[0]!.key);
    assert.ok(!lines.join('').includes(file.keys[0].key));
  });

  test('a damaged key file is an error and is left as it is', async () => {
    const dataDir = join(root, 'damaged');
    const { logger } = capturedLogger();
    await loadKeyring({ dataDir, env: {}, logger });
    const path = join(dataDir, SECRET_KEY_FILE);
    await writeFile(path, '{"version":1,"keys":[{"id":"x","key":"nope","createdAt":"now"}]}');
    await assert.rejects(loadKeyring({ dataDir, env: {}, logger }), (error: Error) => {
      assert.ok(error instanceof SecretKeyError);
      assert.match(error.message, /must be 32 bytes/);
      return true;
    });
    await writeFile(path, 'not json');
    await assert.rejects(loadKeyring({ dataDir, env: {}, logger }), /is not a valid key file/);
    assert.equal(await readFile(path, 'utf8'), 'not json');
  });

  test('moving from the key file to GATEWAY_SECRET_KEY: the file keys still decrypt', async () => {
    const dataDir = join(root, 'moved');
    const { lines, logger } = capturedLogger();
    const fromFile = await loadSecretBox({ dataDir, env: {}, logger });
    const sealed = fromFile.encrypt('cookie');
    const key = randomBytes(32);
    const keyring = await loadKeyring({
      dataDir,
      env: { GATEWAY_SECRET_KEY: key.toString('base64') },
      logger,
    });
    assert.equal(keyring.source, 'env');
    assert.equal(keyring.fileExists, true);
    const box = new SecretBox(keyring.keys);
    assert.equal(box.currentKeyId, keyIdOf(key));
    assert.equal(box.decrypt(sealed), 'cookie');
    assert.match(lines.at(-1)!, /secrets rotate/);
  });
});
