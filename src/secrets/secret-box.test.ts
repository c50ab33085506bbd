import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { keyIdOf, SecretBox, SecretBoxError, type SecretKey } from './secret-box.ts';

const keyOf = (): SecretKey => {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key };
};
const PLAINTEXT = JSON.stringify({ password: 'hunter2-plaintext-7d1e', cookie: 'sid=abc' });

function flip(ciphertext: string, at: number): string {
  const [version, id, encoded] = ciphertext.split(':') as [string, string, string];
  const bytes = Buffer.from(encoded, 'base64url');
  bytes[at] = bytes[at]! ^ 0x01;
  return `${version}:${id}:${bytes.toString('base64url')}`;
}

/** The error, checked to carry neither the plaintext nor any key's bytes. */
function decryptError(box: SecretBox, ciphertext: string, keys: SecretKey[]): SecretBoxError {
  let caught: unknown;
  try {
    box.decrypt(ciphertext);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SecretBoxError, `expected a SecretBoxError, got ${String(caught)}`);
  const text = `${caught.message} ${caught.stack ?? ''} ${JSON.stringify(caught)}`;
  assert.ok(!text.includes('hunter2'), 'the error names no plaintext');
  for (const { key } of keys) {
    for (const encoding of ['hex', 'base64', 'base64url'] as const)
      assert.ok(!text.includes(key.toString(encoding)), 'the error names no key');
  }
  return caught;
}

describe('SecretBox', () => {
  test('round trip, a fresh IV each time, and the wcg1:<keyId>:<payload> format', () => {
    const key = keyOf();
    const box = new SecretBox([key]);
    const a = box.encrypt(PLAINTEXT);
    const b = box.encrypt(PLAINTEXT);
    assert.notEqual(a, b);
    assert.match(a, new RegExp(`^wcg1:${key.id}:[A-Za-z0-9_-]+$`));
    assert.ok(!a.includes('hunter2'));
    assert.equal(box.decrypt(a), PLAINTEXT);
    assert.equal(box.decrypt(b), PLAINTEXT);
    assert.equal(box.decrypt(box.encrypt('')), '');
    assert.equal(box.decrypt(box.encrypt('ünïcødé ✓ 🔑')), 'ünïcødé ✓ 🔑');
    assert.ok(SecretBox.isCiphertext(a));
    assert.ok(!SecretBox.isCiphertext(PLAINTEXT));
    assert.ok(!SecretBox.isCiphertext('{"cookies":[]}'));
    assert.equal(SecretBox.keyIdOf(a), key.id);
    assert.equal(box.currentKeyId, key.id);
  });

  test('a tampered IV, tag, body, or a relabelled key id is refused', () => {
    const current = keyOf();
    const other = keyOf();
    const box = new SecretBox([current, other]);
    const sealed = box.encrypt(PLAINTEXT);
    for (const at of [0, 11, 12, 27, 28, 40]) {
      const error = decryptError(box, flip(sealed, at), [current, other]);
      assert.match(error.message, /failed authentication/);
    }
    // The header is authenticated: pointing the ciphertext at another configured key fails too.
    const relabelled = sealed.replace(`:${current.id}:`, `:${other.id}:`);
    assert.match(decryptError(box, relabelled, [current, other]).message, /failed authentication/);
    const truncated = `wcg1:${current.id}:${Buffer.alloc(20).toString('base64url')}`;
    assert.throws(() => box.decrypt(truncated), SecretBoxError);
    assert.throws(() => box.decrypt('not a ciphertext'), /Not a wcg1 ciphertext/);
    assert.throws(() => box.decrypt(`wcg2:${sealed.slice(5)}`), /Not a wcg1 ciphertext/);
  });

  test('the wrong key: an unknown key id, or another key under the same id', () => {
    const right = keyOf();
    const wrong = keyOf();
    const sealed = new SecretBox([right]).encrypt(PLAINTEXT);
    const unknown = decryptError(new SecretBox([wrong]), sealed, [right, wrong]);
    assert.match(unknown.message, new RegExp(`key '${right.id}', which is not configured`));
    const impostor = new SecretBox([{ id: right.id, key: wrong.key }]);
    assert.match(decryptError(impostor, sealed, [right, wrong]).message, /failed authentication/);
  });

  test('after a rotation the previous key still decrypts, and only the new one encrypts', () => {
    const old = keyOf();
    const fresh = keyOf();
    const before = new SecretBox([old]).encrypt(PLAINTEXT);
    const rotated = new SecretBox([fresh, old]);
    assert.equal(rotated.decrypt(before), PLAINTEXT);
    assert.equal(rotated.isCurrent(before), false);
    const after = rotated.encrypt(PLAINTEXT);
    assert.equal(rotated.isCurrent(after), true);
    assert.equal(SecretBox.keyIdOf(after), fresh.id);
    assert.deepEqual(rotated.keyIds, [fresh.id, old.id]);
    // Once the old key is dropped, what was under it no longer opens.
    assert.throws(() => new SecretBox([fresh]).decrypt(before), /not configured/);
    assert.equal(rotated.isCurrent('plaintext'), false);
  });

  test('keys must be 32 bytes with a plain id; an empty keyring is refused', () => {
    assert.throws(() => new SecretBox([]), SecretBoxError);
    assert.throws(() => new SecretBox([{ id: 'k', key: randomBytes(16) }]), /16 bytes; AES-256 needs 32/);
    assert.throws(() => new SecretBox([{ id: 'a:b', key: randomBytes(32) }]), /not letters, digits/);
    const key = randomBytes(32);
    assert.equal(keyIdOf(key), keyIdOf(Buffer.from(key)));
    assert.notEqual(keyIdOf(key), keyIdOf(randomBytes(32)));
    assert.ok(!key.toString('base64url').includes(keyIdOf(key)));
  });
});
