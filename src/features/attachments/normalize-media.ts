import type { ModelCapabilities, SiteCapabilities } from '../../site-contract/site.ts';
import { attachmentError } from './attachment-error.ts';
import { formatBytes } from './format-bytes.ts';
import { acceptsMediaType, baseMediaType, isImageType } from './media-types.ts';
import { type ImageLimits, normalizeImage } from './normalize-image.ts';
import { sniffMediaType } from './sniff-media-type.ts';
import { decodeUtf8, isTextLikeType, refineTextType, renderInlineFile } from './text-files.ts';

export interface MediaLimits {
  /** Longest image side sent to the site. Default 4096 px. */
  maxImageDimension: number;
  /** Decompression-bomb guard: images with more pixels are refused undecoded. Default 50 megapixels. */
  maxInputPixels: number;
}

export const MEDIA_LIMIT_DEFAULTS: MediaLimits = {
  maxImageDimension: 4096,
  maxInputPixels: 50_000_000,
};

export interface MediaInput {
  data: Uint8Array;
  /** How the caller presented it: an image part or a file/document part. */
  partType: 'image' | 'file';
  /** The caller's claimed media type (part field or data URL header). */
  claimedType?: string;
  /** The remote server's Content-Type, when fetched. */
  declaredType?: string;
  filename?: string;
  /** The request field, for errors. */
  param?: string;
}

export interface MediaTarget {
  model: ModelCapabilities;
  site: SiteCapabilities;
  limits?: Partial<MediaLimits>;
}

export type NormalizedMedia =
  | {
      kind: 'media';
      type: 'image' | 'file';
      data: Uint8Array;
      mediaType: string;
      filename?: string;
      /** False when the caller's bytes go to the site unchanged. */
      converted: boolean;
    }
  | { kind: 'text'; text: string; mediaType: string; filename?: string };

/**
 * Decides what an attachment really is (from its bytes) and turns it into something the site and model
 * can take — or refuses it with a reason the caller can act on. Pure apart from image codecs.
 */
export async function normalizeMedia(input: MediaInput, target: MediaTarget): Promise<NormalizedMedia> {
  const { data, param } = input;
  if (data.byteLength === 0) throw attachmentError(param, 'is empty (zero bytes)');
  const claimed = baseMediaType(input.claimedType);
  const sniffed = await sniffMediaType(data);

  if (isImageType(sniffed)) return normalizeImageInput(input, sniffed, target);
  if (input.partType === 'image' || isImageType(claimed)) {
    const what =
      claimed === 'image/svg+xml' ? 'an SVG image, which is not supported (send PNG or JPEG)' : undefined;
    throw attachmentError(
      param,
      what === undefined
        ? isImageType(claimed)
          ? `has the wrong media type: it was sent as ${claimed} but the bytes are ${describe(sniffed)}`
          : `is not an image: the bytes are ${describe(sniffed)}`
        : `is ${what}`,
    );
  }
  if (sniffed === 'application/pdf') return normalizeDocument(input, sniffed, target, 'PDF files');
  if (sniffed === 'text/plain' || isTextLikeType(sniffed)) return normalizeText(input, sniffed, target);
  if (sniffed === 'application/octet-stream') {
    throw attachmentError(
      param,
      'is a file type that could not be identified (send an image, a PDF or a text file)',
    );
  }
  return normalizeDocument(input, sniffed, target, `${sniffed} files`);
}

function siteTakesFiles(target: MediaTarget): boolean {
  return target.site.uploads && target.model.files;
}

async function normalizeImageInput(
  input: MediaInput,
  sniffed: string,
  target: MediaTarget,
): Promise<NormalizedMedia> {
  if (!target.model.vision) {
    throw attachmentError(
      input.param,
      'is an image, but the selected model does not accept images (no vision)',
    );
  }
  if (!target.site.uploads) {
    throw attachmentError(input.param, 'is an image, but this site does not accept uploads');
  }
  const limits = { ...MEDIA_LIMIT_DEFAULTS, ...target.limits };
  const imageLimits: ImageLimits = {
    maxDimension: limits.maxImageDimension,
    maxInputPixels: limits.maxInputPixels,
    maxBytes: target.site.maxUploadBytes,
  };
  const image = await normalizeImage(
    input.data,
    sniffed,
    target.site.acceptedMediaTypes,
    imageLimits,
    input.param,
  );
  return withFilename(
    {
      kind: 'media',
      type: 'image',
      data: image.data,
      mediaType: image.mediaType,
      converted: image.converted,
    },
    input.filename,
  );
}

function normalizeDocument(
  input: MediaInput,
  sniffed: string,
  target: MediaTarget,
  label: string,
): NormalizedMedia {
  if (!siteTakesFiles(target) || !acceptsMediaType(target.site.acceptedMediaTypes, sniffed)) {
    throw attachmentError(
      input.param,
      `is a file of type ${sniffed}; ${label} are not supported by the selected model and site`,
    );
  }
  assertUploadSize(input, target);
  return withFilename(
    { kind: 'media', type: 'file', data: input.data, mediaType: sniffed, converted: false },
    input.filename,
  );
}

function normalizeText(input: MediaInput, sniffed: string, target: MediaTarget): NormalizedMedia {
  const mediaType = refineTextType([input.claimedType, input.declaredType, sniffed], input.filename);
  const accepted = target.site.acceptedMediaTypes;
  const uploadType = acceptsMediaType(accepted, mediaType)
    ? mediaType
    : acceptsMediaType(accepted, 'text/plain')
      ? 'text/plain'
      : undefined;
  if (
    siteTakesFiles(target) &&
    uploadType !== undefined &&
    input.data.byteLength <= target.site.maxUploadBytes
  ) {
    return withFilename(
      { kind: 'media', type: 'file', data: input.data, mediaType: uploadType, converted: false },
      input.filename,
    );
  }
  // The site cannot take this file, but the model can read it: put it into the prompt.
  const text = decodeUtf8(input.data);
  const maxChars = target.model.maxInputChars;
  if (text.length > maxChars) {
    throw attachmentError(
      input.param,
      `is a text file of ${text.length.toLocaleString('en')} characters, too long to include in the prompt (limit ${maxChars.toLocaleString('en')})`,
    );
  }
  const rendered = renderInlineFile(
    input.filename === undefined ? { text, mediaType } : { text, mediaType, filename: input.filename },
  );
  return withFilename({ kind: 'text', text: rendered, mediaType }, input.filename);
}

function assertUploadSize(input: MediaInput, target: MediaTarget): void {
  if (input.data.byteLength > target.site.maxUploadBytes) {
    throw attachmentError(
      input.param,
      `is too large (${formatBytes(input.data.byteLength)}; the site accepts up to ${formatBytes(target.site.maxUploadBytes)})`,
    );
  }
}

function withFilename<T extends NormalizedMedia>(media: T, filename: string | undefined): T {
  return filename === undefined ? media : { ...media, filename };
}

function describe(sniffed: string): string {
  if (sniffed === 'application/octet-stream') return 'not a recognisable image';
  if (sniffed === 'text/plain') return 'text';
  return sniffed;
}
