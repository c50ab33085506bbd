import type { GatewayError } from '../../core/errors.ts';
import { attachmentError } from './attachment-error.ts';
import { formatBytes } from './format-bytes.ts';
import { baseMediaType } from './media-types.ts';

/**
 * Inline attachments: `data:` URLs and bare base64 (`file_data`, Anthropic `source.data`). Strict on
 * purpose — a corrupt payload is a 400 naming the field, never bytes silently decoded into garbage.
 */

export interface DecodeOptions {
  /** The request field, for the error's `param` and message. */
  param?: string;
  /** Largest decoded size accepted; checked before decoding so a huge payload costs nothing. */
  maxBytes?: number;
}

export interface DecodedDataUrl {
  data: Uint8Array;
  /** The media type the URL claims (lower case, no parameters); only a claim, never trusted. */
  mediaType?: string;
}

export function isDataUrl(url: string): boolean {
  return /^\s*data:/i.test(url);
}

export function decodeDataUrl(url: string, options: DecodeOptions = {}): DecodedDataUrl {
  const match = /^\s*data:([^,]*),/i.exec(url);
  if (match === null)
    throw invalid(options, 'is not a valid data URL (expected "data:<type>;base64,<data>")');
  const header = (match[1] ?? '').split(';').map((part) => part.trim());
  const isBase64 = header.length > 1 && header[header.length - 1]?.toLowerCase() === 'base64';
  const claimed = baseMediaType(header[0]);
  const body = url.slice(match[0].length);
  const data = isBase64
    ? decodeBase64Strict(percentDecodeAscii(body, options), options)
    : checkSize(percentDecodeBytes(body), options);
  const result: DecodedDataUrl = { data };
  if (claimed !== undefined) result.mediaType = claimed;
  return result;
}

const WHITESPACE = /[\t\n\f\r ]+/g;
const NOT_BASE64 = /[^A-Za-z0-9+/\-_=]/;

/**
 * Standard or URL-safe base64, optional padding, line breaks tolerated as MIME encoders emit them.
 * Anything else is refused with the position of the first bad character. Written to scan a
 * multi-megabyte payload once in the common case (no whitespace): this sits on every image's path.
 */
export function decodeBase64Strict(text: string, options: DecodeOptions = {}): Uint8Array {
  let compact = text;
  let bad = NOT_BASE64.exec(compact);
  if (bad !== null && /^[\t\n\f\r ]$/.test(bad[0])) {
    compact = compact.replace(WHITESPACE, '');
    bad = NOT_BASE64.exec(compact);
  }
  if (bad !== null) {
    throw invalid(
      options,
      `is not valid base64 (unexpected character ${describeChar(bad[0])} at position ${bad.index})`,
    );
  }
  const firstPad = compact.indexOf('=');
  const unpaddedLength = firstPad === -1 ? compact.length : firstPad;
  const padding = compact.length - unpaddedLength;
  if (
    padding > 2 ||
    (padding > 0 && (compact.length % 4 !== 0 || compact.slice(firstPad) !== '='.repeat(padding)))
  ) {
    throw invalid(options, 'is not valid base64 (misplaced "=" padding)');
  }
  if (unpaddedLength % 4 === 1) {
    throw invalid(options, 'is not valid base64 (truncated: the length is not a whole number of bytes)');
  }
  const decodedLength = Math.floor((unpaddedLength * 3) / 4);
  if (decodedLength === 0) throw empty(options);
  if (options.maxBytes !== undefined && decodedLength > options.maxBytes)
    throw tooLarge(options, decodedLength);
  // Node decodes both alphabets (and their mix) identically, so no second pass to tell them apart.
  const buffer = Buffer.from(compact, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkSize(data: Uint8Array, options: DecodeOptions): Uint8Array {
  if (data.byteLength === 0) throw empty(options);
  if (options.maxBytes !== undefined && data.byteLength > options.maxBytes)
    throw tooLarge(options, data.byteLength);
  return data;
}

/** Base64 data URLs may percent-encode `+`, `/` and `=`; anything else percent-encoded is not base64. */
function percentDecodeAscii(body: string, options: DecodeOptions): string {
  if (!body.includes('%')) return body;
  return body.replace(/%([0-9A-Fa-f]{2})?/g, (_whole, hex: string | undefined) => {
    if (hex === undefined) throw invalid(options, 'is not a valid data URL (broken percent-encoding)');
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}

function percentDecodeBytes(body: string): Uint8Array {
  const bytes = Buffer.from(body, 'utf8');
  const out = new Uint8Array(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    const hex = byte === 0x25 ? bytes.subarray(i + 1, i + 3).toString('ascii') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code >= 0x21 && code < 0x7f ? `"${char}"` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function invalid(options: DecodeOptions, reason: string): GatewayError {
  return attachmentError(options.param, reason);
}

function empty(options: DecodeOptions): GatewayError {
  return invalid(options, 'is empty (zero bytes)');
}

function tooLarge(options: DecodeOptions, size: number): GatewayError {
  const limit = options.maxBytes ?? 0;
  return invalid(options, `is too large (${formatBytes(size)}; the limit is ${formatBytes(limit)})`);
}
