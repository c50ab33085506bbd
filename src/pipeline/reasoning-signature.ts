import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Anthropic clients send thinking blocks back with their signature; the gateway signs what it
 * produced so it can tell its own blocks from forged ones.
 */
export class ReasoningSigner {
  readonly #secret: Buffer;
  constructor(secret: Buffer) {
    this.#secret = secret;
  }
  sign(text: string): string {
    return `wcg1.${createHmac('sha256', this.#secret).update(text).digest('base64url')}`;
  }
  verify(text: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(text));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
