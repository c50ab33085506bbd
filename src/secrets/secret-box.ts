import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of the secrets the gateway keeps (site passwords, cookies, browser
 * sessions): AES-256-GCM with a random 12-byte IV per message, under a keyring whose first key is
 * the current one (it encrypts) and whose others are older keys that still decrypt after a rotation.
 *
 * Format: `wcg1:<keyId>:<base64url(iv ‖ tag ‖ ciphertext)>`. The `wcg1:<keyId>` header is
 * authenticated too (GCM additional data), so a ciphertext cannot be relabelled to another key.
 * Errors name key ids at most: never plaintext, ciphertext or key bytes.
 */

export const CIPHERTEXT_VERSION = 'wcg1';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CIPHERTEXT = /^wcg1:[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{38,}$/;

export interface SecretKey {
  /** Named in every ciphertext made with the key; letters, digits, `_` and `-`. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** A ciphertext that is malformed, under a key not in the keyring, tampered with or under another key. */
export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** The id a key is known by when none is given (env keys): a fingerprint that reveals nothing of it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256')
    .update('webchat-gateway secret key id\0')
    .update(key)
    .digest('base64url')
    .slice(0, 12);
}

export class SecretBox {
  readonly #current: SecretKey;
  readonly #keys = new Map<string, Buffer>();

  /** `keys[0]` encrypts; every key decrypts what was made with it. Repeated ids keep the first. */
  constructor(keys: readonly SecretKey[]) {
    const current = keys[0];
    if (!current) throw new SecretBoxError('A secret box needs at least one key.');
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id))
        throw new SecretBoxError(`Secret key id '${id}' is not letters, digits, _ and -.`);
      if (key.length !== KEY_BYTES)
        throw new SecretBoxError(`Secret key '${id}' is ${key.length} bytes; AES-256 needs ${KEY_BYTES}.`);
      if (!this.#keys.has(id)) this.#keys.set(id, Buffer.from(key));
    }
    this.#current = { id: current.id, key: this.#keys.get(current.id)! };
  }

  /** Whether `text` has the shape of a ciphertext (says nothing about which key or its integrity). */
  static isCiphertext(text: string): boolean {
    return CIPHERTEXT.test(text);
  }

  /** The key id a ciphertext names, or undefined when `text` is no ciphertext. */
  static keyIdOf(text: string): string | undefined {
    return CIPHERTEXT.test(text) ? text.split(':')[1] : undefined;
  }

  get currentKeyId(): string {
    return this.#current.id;
  }

  /** Current key first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  encrypt(plaintext: string): string {
    const header = `${CIPHERTEXT_VERSION}:${this.#current.id}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(header, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const payload = Buffer.concat([iv, cipher.getAuthTag(), body]);
    return `${header}:${payload.toString('base64url')}`;
  }

  decrypt(ciphertext: string): string {
    if (!CIPHERTEXT.test(ciphertext))
      throw new SecretBoxError(`Not a ${CIPHERTEXT_VERSION} ciphertext (wcg1:<key id>:<base64url>).`);
    const [version, keyId, encoded] = ciphertext.split(':') as [string, string, string];
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        `Encrypted under secret key '${keyId}', which is not configured (known: ${this.keyIds.join(', ')}). ` +
          'Set the key it was written under (GATEWAY_SECRET_KEY, GATEWAY_SECRET_KEY_PREVIOUS or secret-keys.json).',
      );
    }
    const payload = Buffer.from(encoded, 'base64url');
    if (payload.length < IV_BYTES + TAG_BYTES)
      throw new SecretBoxError(`Ciphertext under key '${keyId}' is truncated.`);
    const decipher = createDecipheriv('aes-256-gcm', key, payload.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(`${version}:${keyId}`, 'utf8'));
    decipher.setAuthTag(payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(payload.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    } catch {
      throw new SecretBoxError(
        `Ciphertext under key '${keyId}' failed authentication: it was altered, or the key with that id is not the one it was written under.`,
      );
    }
  }

  /** Whether the ciphertext names the current key (so a rotation has nothing to redo for it). */
  isCurrent(ciphertext: string): boolean {
    return SecretBox.keyIdOf(ciphertext) === this.#current.id;
  }
}
