import sharp, { type Metadata, type Sharp } from 'sharp';
import { attachmentError } from './attachment-error.ts';
import { formatBytes } from './format-bytes.ts';
import { acceptsMediaType } from './media-types.ts';

export interface ImageLimits {
  /** Longest side after normalising; larger images are downscaled. */
  maxDimension: number;
  /** Largest pixel count we agree to decode: the decompression-bomb guard. */
  maxInputPixels: number;
  /** Largest encoded size the site takes; larger images are re-encoded smaller. */
  maxBytes: number;
}

export interface NormalizedImage {
  data: Uint8Array;
  mediaType: string;
  width: number;
  height: number;
  /** False when the caller's exact bytes go through (so their hash is the caller's hash). */
  converted: boolean;
}

type Target = 'image/png' | 'image/jpeg' | 'image/webp';

// Formats that keep exact pixels: converting them to JPEG would visibly damage screenshots and text.
const LOSSLESS_SOURCES = new Set(['image/png', 'image/gif', 'image/bmp', 'image/tiff', 'image/x-icon']);
const MAX_SHRINK_ATTEMPTS = 6;

/**
 * Makes an image the site can take: exact bytes when it already fits, else converted (to PNG for
 * lossless or transparent sources, JPEG for photos) and downscaled until it is within the limits.
 */
export async function normalizeImage(
  data: Uint8Array,
  mediaType: string,
  accepted: readonly string[],
  limits: ImageLimits,
  param?: string,
): Promise<NormalizedImage> {
  const meta = await readMetadata(data, mediaType, limits, param);
  const longest = Math.max(meta.width, meta.height);
  if (
    acceptsMediaType(accepted, mediaType) &&
    longest <= limits.maxDimension &&
    data.byteLength <= limits.maxBytes
  ) {
    return { data, mediaType, width: meta.width, height: meta.height, converted: false };
  }
  const target = chooseTarget(mediaType, meta.hasAlpha, accepted);
  if (target === undefined) {
    throw attachmentError(
      param,
      `is an image (${mediaType}) that this site does not accept, and the site takes no PNG, JPEG or WebP to convert it to`,
    );
  }
  let dimension = Math.min(longest, limits.maxDimension);
  for (let attempt = 0; attempt < MAX_SHRINK_ATTEMPTS; attempt++) {
    const encoded = await encode(data, target, dimension, limits, mediaType, param);
    if (encoded.data.byteLength <= limits.maxBytes) return { ...encoded, mediaType: target, converted: true };
    // Encoded size grows roughly with pixel count, so shrink the side by the square root of the excess.
    const side = Math.max(encoded.width, encoded.height);
    dimension = Math.floor(side * Math.sqrt(limits.maxBytes / encoded.data.byteLength) * 0.9);
    if (dimension < 16) break;
  }
  throw attachmentError(
    param,
    `is an image that cannot be made smaller than the site's ${formatBytes(limits.maxBytes)} limit`,
  );
}

async function readMetadata(
  data: Uint8Array,
  mediaType: string,
  limits: ImageLimits,
  param: string | undefined,
) {
  let meta: Metadata;
  try {
    // Only the header is read here; the pixel limit is also enforced by libvips at this point.
    meta = await sharp(data, { limitInputPixels: limits.maxInputPixels }).metadata();
  } catch (error) {
    throw decodeFailure(error, mediaType, limits, param);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width === 0 || height === 0)
    throw attachmentError(param, `is an image (${mediaType}) that could not be decoded`);
  if (width * height > limits.maxInputPixels) throw bomb(width, height, limits, param);
  return { width, height, hasAlpha: meta.hasAlpha === true };
}

function chooseTarget(source: string, hasAlpha: boolean, accepted: readonly string[]): Target | undefined {
  const keep: Target[] =
    source === 'image/png' || source === 'image/jpeg' || source === 'image/webp' ? [source] : [];
  const preference: Target[] =
    hasAlpha || LOSSLESS_SOURCES.has(source)
      ? ['image/png', 'image/webp', 'image/jpeg']
      : ['image/jpeg', 'image/webp', 'image/png'];
  return [...keep, ...preference].find((type) => acceptsMediaType(accepted, type));
}

async function encode(
  data: Uint8Array,
  target: Target,
  dimension: number,
  limits: ImageLimits,
  mediaType: string,
  param: string | undefined,
) {
  // rotate() applies EXIF orientation, which would otherwise be lost with the metadata we drop.
  let pipeline: Sharp = sharp(data, { limitInputPixels: limits.maxInputPixels })
    .rotate()
    .resize({ width: dimension, height: dimension, fit: 'inside', withoutEnlargement: true });
  if (target === 'image/png') pipeline = pipeline.png({ compressionLevel: 6 });
  else if (target === 'image/webp') pipeline = pipeline.webp({ quality: 85 });
  else pipeline = pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 85 });
  try {
    const { data: out, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw decodeFailure(error, mediaType, limits, param);
  }
}

function decodeFailure(error: unknown, mediaType: string, limits: ImageLimits, param: string | undefined) {
  const message = error instanceof Error ? error.message : '';
  if (/pixel limit/i.test(message)) {
    return attachmentError(
      param,
      `is an image with too many pixels to decode safely (limit ${limits.maxInputPixels.toLocaleString('en')} pixels)`,
      error,
    );
  }
  const hint = mediaType === 'image/heic' || mediaType === 'image/heif' ? '; convert it to JPEG or PNG' : '';
  return attachmentError(param, `is an image (${mediaType}) that could not be decoded${hint}`, error);
}

function bomb(width: number, height: number, limits: ImageLimits, param: string | undefined) {
  return attachmentError(
    param,
    `is a ${width}×${height} image, more pixels than can be decoded safely (limit ${limits.maxInputPixels.toLocaleString('en')})`,
  );
}
