import { GatewayError } from '../../core/errors.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes base64 (standard or URL-safe, whitespace tolerated) or throws a 400 naming `param`.
 * `Buffer.from(x, 'base64')` silently skips garbage, so the alphabet is checked first.
 */
export function decodeBase64(text: string, param: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  const valid =
    (BASE64.test(compact) || BASE64URL.test(compact)) && compact.replace(/=+$/, '').length % 4 !== 1;
  if (!valid || compact.length === 0) {
    throw new GatewayError('invalid_request', `Invalid base64 data in '${param}'.`, { param });
  }
  const buffer = Buffer.from(
    compact,
    compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64',
  );
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
