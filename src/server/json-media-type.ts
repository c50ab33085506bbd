import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../core/errors.ts';

/**
 * The APIs take JSON only (Anthropic documents `content-type: application/json` as required, any
 * case, with parameters such as a charset); a body without a content type is read as JSON because
 * some clients omit it. Everything else — `text/plain`, form-urlencoded, multipart, the types a web
 * page may send cross-site without a CORS preflight — is refused before the body is read.
 */
export function refusedMediaType(headers: FastifyRequest['headers']): GatewayError | undefined {
  if (!hasBody(headers)) return undefined;
  const header = headers['content-type'];
  if (header === undefined) return undefined;
  const mediaType = header.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json') return undefined;
  return new GatewayError(
    'invalid_request',
    `Unsupported content type '${mediaType || header}': send the body as application/json.`,
    { status: 415 },
  );
}

function hasBody(headers: FastifyRequest['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}
