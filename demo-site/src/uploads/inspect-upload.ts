import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { DemoError } from '../errors.ts';

export const IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const SNIFFED_TYPES: readonly string[] = [...IMAGE_TYPES, 'application/pdf'];
const TEXT_TYPES: readonly string[] = ['text/plain', 'text/markdown', 'application/json', 'text/csv'];
export const ACCEPTED_TYPES: readonly string[] = [...SNIFFED_TYPES, ...TEXT_TYPES];

const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'text/x-markdown': 'text/markdown',
};
const BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  json: 'application/json',
  csv: 'text/csv',
};

export interface InspectedUpload {
  mediaType: string;
  width?: number;
  height?: number;
}

/** The type the client claimed; a missing or generic claim falls back to the file extension. */
function claimedType(mimetype: string, filename: string): string | undefined {
  const bare = mimetype.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (bare && bare !== 'application/octet-stream') return ALIASES[bare] ?? bare;
  const extension = filename.toLowerCase().split('.').pop() ?? '';
  return BY_EXTENSION[extension];
}

function unsupported(message: string): DemoError {
  return new DemoError(415, 'unsupported_type', `${message} Accepted: ${ACCEPTED_TYPES.join(', ')}.`);
}

function isUtf8Text(data: Buffer): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

async function imageSize(data: Buffer, mediaType: string): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(data).metadata();
    if (width > 0 && height > 0) return { width, height };
  } catch {
    // fall through: undecodable
  }
  throw new DemoError(400, 'bad_image', `The ${mediaType} image could not be decoded.`);
}

/**
 * Decides an upload's real type: images and PDF by their bytes (the claim must agree), text types
 * by the claim plus a UTF-8 check. Images are decoded far enough to read their dimensions.
 */
export async function inspectUpload(
  data: Buffer,
  mimetype: string,
  filename: string,
): Promise<InspectedUpload> {
  if (data.length === 0) throw new DemoError(400, 'empty_file', 'The file is empty.');
  const claimed = claimedType(mimetype, filename);
  const sniffed = (await fileTypeFromBuffer(data))?.mime;
  if (sniffed !== undefined) {
    if (!SNIFFED_TYPES.includes(sniffed)) throw unsupported(`Files of type ${sniffed} are not accepted.`);
    if (claimed !== undefined && claimed !== sniffed) {
      throw unsupported(`The file was sent as ${claimed} but its content is ${sniffed}.`);
    }
    if (IMAGE_TYPES.includes(sniffed)) return { mediaType: sniffed, ...(await imageSize(data, sniffed)) };
    return { mediaType: sniffed };
  }
  if (claimed !== undefined && IMAGE_TYPES.includes(claimed)) {
    throw new DemoError(400, 'bad_image', `The file was sent as ${claimed} but is not a readable image.`);
  }
  if (claimed === undefined || !TEXT_TYPES.includes(claimed)) {
    throw unsupported(`Files of type ${claimed ?? 'unknown'} are not accepted.`);
  }
  if (!isUtf8Text(data)) throw unsupported(`The file was sent as ${claimed} but is not UTF-8 text.`);
  return { mediaType: claimed };
}
