import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * Request bodies may arrive compressed. Fastify counts its body limit on the stream returned
 * here, so the limit is measured after decompression and a zip bomb is cut off at the limit.
 */
export function decompressBody(raw: IncomingMessage, payload: Readable): Readable {
  const encoding = String(raw.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return payload;
  let encodedLength = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      encodedLength += chunk.length;
      callback(null, chunk);
    },
  });
  const out = payload.pipe(counter).pipe(decoder) as Readable & { receivedEncodedLength?: number };
  // Fastify compares content-length with the bytes received on the wire, not the decoded ones.
  Object.defineProperty(out, 'receivedEncodedLength', { get: () => encodedLength });
  payload.on('error', (error) => out.destroy(error));
  counter.on('error', (error) => out.destroy(error));
  return out;
}
