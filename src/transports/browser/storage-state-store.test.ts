import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../core/logger.ts';
import { keyIdOf, SecretBox, SecretBoxError } from '../../secrets/secret-box.ts';
import { BrowserManager } from './browser-manager.ts';
import { type AccountSnapshot, STORAGE_STATE_FILE, StorageStateStore } from './storage-state-store.ts';

const COOKIE_VALUE = 'session-cookie-value-5c1f9e';
const LOCAL_VALUE = 'local-storage-token-8ab2';

const boxOf = (...keys: Buffer[]) => new SecretBox(keys.map((key) => ({ id: keyIdOf(key), key })));

function snapshot(): AccountSnapshot {
  return {
    cookies: [
      {
        name: 'sid',
        value: COOKIE_VALUE,
        domain: 'chat.example',
        path: '/',
        expires: -1,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    ],
    origins: [{ origin: 'https://chat.example', localStorage: [{ name: 'token', value: LOCAL_VALUE }] }],
    sessionStorage: [{ origin: 'https://chat.example', entries: [['s', 'v']] }],
  };
}

describe('StorageStateStore with a SecretBox', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'wcg-storage-state-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('a save leaves no cookie or storage value in the file bytes; load gives the snapshot back', async () => {
    const directory = join(root, 'encrypted');
    const box = boxOf(randomBytes(32));
    const store = new StorageStateStore(directory, { secretBox: box });
    await store.save(snapshot());
    const path = join(directory, STORAGE_STATE_FILE);
    const bytes = await readFile(path);
    assert.ok(!bytes.includes(COOKIE_VALUE), 'cookie value in plaintext');
    assert.ok(!bytes.includes(LOCAL_VALUE), 'localStorage value in plaintext');
    assert.ok(!bytes.includes('chat.example'), 'even the domain is sealed');
    assert.ok(box.isCurrent(bytes.toString('utf8')));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await store.load(), snapshot());
    // clear() writes encrypted too.
    await store.clear();
    assert.ok(SecretBox.isCiphertext(await readFile(path, 'utf8')));
    assert.deepEqual(await store.load(), { cookies: [], origins: [] });
  });

  test('an old plaintext file loads, and is rewritten encrypted at once', async () => {
    const directory = join(root, 'plaintext');
    await new StorageStateStore(directory).save(snapshot());
    const path = join(directory, STORAGE_STATE_FILE);
    assert.ok((await readFile(path, 'utf8')).includes(COOKIE_VALUE));
    const store = new StorageStateStore(directory, { secretBox: boxOf(randomBytes(32)) });
    assert.deepEqual(await store.load(), snapshot());
    const after = await readFile(path);
    assert.ok(!after.includes(COOKIE_VALUE));
    assert.deepEqual(await store.load(), snapshot());
  });

  test('a file under an older key loads and is moved to the current key', async () => {
    const directory = join(root, 'older-key');
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    await new StorageStateStore(directory, { secretBox: boxOf(oldKey) }).save(snapshot());
    const rotated = boxOf(newKey, oldKey);
    assert.deepEqual(await new StorageStateStore(directory, { secretBox: rotated }).load(), snapshot());
    const text = await readFile(join(directory, STORAGE_STATE_FILE), 'utf8');
    assert.ok(rotated.isCurrent(text));
    assert.deepEqual(await new StorageStateStore(directory, { secretBox: boxOf(newKey) }).load(), snapshot());
  });

  test('the wrong key, or no key for an encrypted file, is an error naming no secret; the file is kept', async () => {
    const directory = join(root, 'wrong-key');
    const key = randomBytes(32);
    await new StorageStateStore(directory, { secretBox: boxOf(key) }).save(snapshot());
    const path = join(directory, STORAGE_STATE_FILE);
    const before = await readFile(path, 'utf8');
    for (const store of [
      new StorageStateStore(directory, { secretBox: boxOf(randomBytes(32)) }),
      new StorageStateStore(directory, {
        secretBox: new SecretBox([{ id: keyIdOf(key), key: randomBytes(32) }]),
      }),
      new StorageStateStore(directory),
    ]) {
      await assert.rejects(store.load(), (error: Error) => {
        assert.ok(error instanceof SecretBoxError);
        assert.ok(error.message.includes(path));
        assert.ok(!error.message.includes(COOKIE_VALUE));
        assert.ok(!error.message.includes(key.toString('base64')));
        return true;
      });
    }
    assert.equal(await readFile(path, 'utf8'), before);
  });

  test('without a box: plaintext as before, torn files still load as nothing', async () => {
    const directory = join(root, 'no-box');
    const store = new StorageStateStore(directory);
    await store.save(snapshot());
    const path = join(directory, STORAGE_STATE_FILE);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), snapshot());
    await writeFile(path, '{"cookies": [');
    assert.equal(await store.load(), undefined);
    const boxed = new StorageStateStore(directory, { secretBox: boxOf(randomBytes(32)) });
    assert.equal(await boxed.load(), undefined);
  });
});

describe('BrowserManager with a SecretBox (real Chromium)', { timeout: 30_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wcg-browser-secret-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the session snapshot is encrypted on disk and restored after a restart', async () => {
    const logger = createLogger('silent');
    const box = boxOf(randomBytes(32));
    const homeUrl = 'about:blank';
    const first = new BrowserManager({ dataDir, logger, secretBox: box });
    try {
      const context = await first.account('enc', { homeUrl, warmPages: 0 }).context();
      await context.addCookies([{ name: 'sid', value: COOKIE_VALUE, url: 'https://chat.example/' }]);
      await first.account('enc', { homeUrl }).saveState();
    } finally {
      await first.close();
    }
    const bytes = await readFile(join(dataDir, 'enc', STORAGE_STATE_FILE));
    assert.ok(!bytes.includes(COOKIE_VALUE));
    assert.ok(box.isCurrent(bytes.toString('utf8')));

    const second = new BrowserManager({ dataDir, logger, secretBox: box });
    try {
      const context = await second.account('enc', { homeUrl, warmPages: 0 }).context();
      const cookies = await context.cookies('https://chat.example/');
      assert.deepEqual(
        cookies.map((c) => [c.name, c.value]),
        [['sid', COOKIE_VALUE]],
      );
    } finally {
      await second.close();
    }
  });
});
