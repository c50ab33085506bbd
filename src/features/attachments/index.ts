// The seams the pipeline wires in; everything else in this folder is an implementation detail.
export { decodeBase64Strict, decodeDataUrl, isDataUrl } from './decode-data-url.ts';
export { type MediaLimits, type NormalizedMedia, normalizeMedia } from './normalize-media.ts';
export {
  ATTACHMENT_LIMIT_DEFAULTS,
  type AttachmentLimits,
  isResolvedMediaPart,
  type ResolveAttachmentsContext,
  type ResolvedMediaPart,
  resolveAttachments,
} from './resolve-attachments.ts';
export {
  type ResolvedAddress,
  SAFE_FETCH_DEFAULTS,
  type SafeFetchOptions,
  type SafeFetchResult,
  type SafeLookup,
  safeFetch,
} from './safe-fetch.ts';
export { sha256Hex } from './sha256.ts';
export {
  createUploadCache,
  type UploadablePart,
  type UploadCache,
  type UploadCacheOptions,
} from './upload-cache.ts';
