import { GatewayError } from '../../core/errors.ts';
import { decodeBase64 } from './base64.ts';

export interface DecodedDataUrl {
  mediaType: string;
  data: Uint8Array;
}

export function isDataUrl(url: string): boolean {
  return url.slice(0, 5).toLowerCase() === 'data:';
}

/** Decodes `data:<type>[;params][;base64],<payload>` or throws a 400 naming `param`. */
export function decodeDataUrl(url: string, param: string): DecodedDataUrl {
  const comma = url.indexOf(',');
  if (!isDataUrl(url) || comma < 0) {
    throw new GatewayError('invalid_request', `Invalid data URL in '${param}'.`, { param });
  }
  const meta = url.slice(5, comma).split(';');
  const payload = url.slice(comma + 1);
  const mediaType = meta[0]?.trim().toLowerCase() || 'text/plain';
  if (meta.slice(1).some((p) => p.trim().toLowerCase() === 'base64')) {
    return { mediaType, data: decodeBase64(payload, param) };
  }
  try {
    return { mediaType, data: new TextEncoder().encode(decodeURIComponent(payload)) };
  } catch {
    throw new GatewayError('invalid_request', `Invalid percent-encoding in data URL '${param}'.`, { param });
  }
}

/** Only http(s) may be fetched later (attachments guards the rest); other schemes are refused here. */
export function assertRemoteUrl(url: string, param: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatewayError('invalid_request', `'${param}' must be a data URL or an http(s) URL.`, { param });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new GatewayError('invalid_request', `'${param}' must be a data URL or an http(s) URL.`, { param });
  }
}
