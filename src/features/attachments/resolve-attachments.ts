import type { ChatMessage, ChatRequest, ContentPart, MediaPart, TextPart } from '../../core/chat-request.ts';
import type { ModelCapabilities, SiteCapabilities } from '../../site-contract/site.ts';
import { attachmentError } from './attachment-error.ts';
import { decodeDataUrl, isDataUrl } from './decode-data-url.ts';
import { formatBytes } from './format-bytes.ts';
import {
  MEDIA_LIMIT_DEFAULTS,
  type MediaLimits,
  type NormalizedMedia,
  normalizeMedia,
} from './normalize-media.ts';
import { type SafeFetchOptions, safeFetch } from './safe-fetch.ts';
import { sha256Hex } from './sha256.ts';

export interface AttachmentLimits extends MediaLimits {
  /** Largest attachment accepted as sent (inline or fetched), before any conversion. Default 32 MiB. */
  maxInputBytes: number;
  /** Attachments per request, history included. Default 32. */
  maxAttachments: number;
  /** Attachments fetched and converted at the same time. Default 4. */
  concurrency: number;
}

export const ATTACHMENT_LIMIT_DEFAULTS: AttachmentLimits = {
  ...MEDIA_LIMIT_DEFAULTS,
  maxInputBytes: 32 * 1024 * 1024,
  maxAttachments: 32,
  concurrency: 4,
};

export interface ResolveAttachmentsContext {
  model: ModelCapabilities;
  site: SiteCapabilities;
  /** Allow-lists, timeouts and the DNS seam for URL attachments; `maxBytes` defaults to `maxInputBytes`. */
  fetchOptions: SafeFetchOptions;
  signal: AbortSignal;
  limits?: Partial<AttachmentLimits>;
  /**
   * Names the field of a canonical part in the caller's own request (a dialect may have moved system
   * messages out, shifting indices). Default `messages[m].content[p]`.
   */
  paramFor?: (message: number, part: number) => string;
}

/** A media part after resolution: bytes present, type sniffed, content hash computed. */
export interface ResolvedMediaPart extends MediaPart {
  data: Uint8Array;
  mediaType: string;
  /** Hex SHA-256 of `data` (the bytes the site will receive). */
  sha256: string;
  url?: undefined;
}

export function isResolvedMediaPart(part: ContentPart): part is ResolvedMediaPart {
  return (
    (part.type === 'image' || part.type === 'file') &&
    part.data !== undefined &&
    part.mediaType !== undefined &&
    typeof (part as { sha256?: unknown }).sha256 === 'string'
  );
}

interface Job {
  message: number;
  part: number;
  media: MediaPart;
  param: string;
}

/**
 * Turns every image and file in the conversation (earlier turns included) into bytes the site can take,
 * or into inlined text. Throws a 400 before anything is sent to the site if any attachment is bad.
 */
export async function resolveAttachments(
  request: ChatRequest,
  ctx: ResolveAttachmentsContext,
): Promise<ChatRequest> {
  const limits = { ...ATTACHMENT_LIMIT_DEFAULTS, ...ctx.limits };
  const jobs = collectJobs(request.messages, ctx.paramFor ?? ((m, p) => `messages[${m}].content[${p}]`));
  if (jobs.length === 0) return request;
  preflight(jobs, ctx, limits);

  // Clients resend the whole history every turn, often with the same image several times: each distinct
  // URL is downloaded once and each distinct content normalised once per request.
  const memo: Memo = { downloads: new Map(), normalized: new Map() };
  const resolved = await runAll(jobs, limits.concurrency, ctx.signal, (job, signal) =>
    resolveOne(job, ctx, limits, memo, signal),
  );
  const replacements = new Map<string, ContentPart>();
  jobs.forEach((job, index) => {
    const part = resolved[index];
    if (part !== undefined) replacements.set(`${job.message}:${job.part}`, part);
  });
  const touched = new Set(jobs.map((job) => job.message));
  const messages = request.messages.map(
    (message, m): ChatMessage =>
      touched.has(m)
        ? { ...message, content: message.content.map((part, p) => replacements.get(`${m}:${p}`) ?? part) }
        : message,
  );
  return { ...request, messages };
}

function collectJobs(
  messages: readonly ChatMessage[],
  paramFor: (message: number, part: number) => string,
): Job[] {
  const jobs: Job[] = [];
  messages.forEach((message, m) => {
    message.content.forEach((part, p) => {
      if (part.type === 'image' || part.type === 'file') {
        jobs.push({ message: m, part: p, media: part, param: part.param ?? paramFor(m, p) });
      }
    });
  });
  return jobs;
}

/** Cheap checks that need no I/O, so an obviously bad request fails before any download starts. */
function preflight(jobs: readonly Job[], ctx: ResolveAttachmentsContext, limits: AttachmentLimits): void {
  if (jobs.length > limits.maxAttachments) {
    throw attachmentError(
      jobs[limits.maxAttachments]?.param,
      `is one too many: a request may carry at most ${limits.maxAttachments} attachments, history included`,
    );
  }
  for (const job of jobs) {
    if (job.media.type === 'image' && !ctx.model.vision) {
      throw attachmentError(
        job.param,
        'is an image, but the selected model does not accept images (no vision)',
      );
    }
    if (job.media.data === undefined && (job.media.url === undefined || job.media.url.trim() === '')) {
      throw attachmentError(job.param, 'has neither data nor a URL');
    }
  }
}

interface Memo {
  downloads: Map<string, Promise<{ data: Uint8Array; declaredType?: string }>>;
  normalized: Map<string, Promise<ResolvedMediaPart | TextPart>>;
}

async function resolveOne(
  job: Job,
  ctx: ResolveAttachmentsContext,
  limits: AttachmentLimits,
  memo: Memo,
  signal: AbortSignal,
): Promise<ResolvedMediaPart | TextPart> {
  const { media, param } = job;
  let data: Uint8Array;
  let claimedType = media.mediaType;
  let declaredType: string | undefined;
  if (media.data !== undefined) {
    data = media.data;
    if (data.byteLength > limits.maxInputBytes)
      throw attachmentError(param, tooLarge(data.byteLength, limits));
  } else if (isDataUrl(media.url ?? '')) {
    const decoded = decodeDataUrl(media.url ?? '', { param, maxBytes: limits.maxInputBytes });
    data = decoded.data;
    claimedType ??= decoded.mediaType;
  } else {
    const url = media.url ?? '';
    let download = memo.downloads.get(url);
    if (download === undefined) {
      download = safeFetch(url, { maxBytes: limits.maxInputBytes, ...ctx.fetchOptions, signal, param }).then(
        (fetched) => ({ data: fetched.data, declaredType: fetched.declaredMediaType }),
      );
      memo.downloads.set(url, download);
    }
    ({ data, declaredType } = await download);
  }

  // Hashing the input is not extra work: for the usual pass-through it is also the hash of what is sent.
  const inputSha256 = sha256Hex(data);
  const key = [inputSha256, media.type, claimedType, declaredType, media.filename, media.detail].join(
    '\u0000',
  );
  let pending = memo.normalized.get(key);
  if (pending === undefined) {
    pending = normalizeMedia(
      {
        data,
        partType: media.type,
        ...(claimedType === undefined ? {} : { claimedType }),
        ...(declaredType === undefined ? {} : { declaredType }),
        ...(media.filename === undefined ? {} : { filename: media.filename }),
        param,
      },
      { model: ctx.model, site: ctx.site, limits },
    ).then((normalized) => toPart(normalized, media, inputSha256));
    memo.normalized.set(key, pending);
  }
  return pending;
}

function toPart(
  normalized: NormalizedMedia,
  original: MediaPart,
  inputSha256: string,
): ResolvedMediaPart | TextPart {
  if (normalized.kind === 'text') return { type: 'text', text: normalized.text };
  const part: ResolvedMediaPart = {
    type: normalized.type,
    data: normalized.data,
    mediaType: normalized.mediaType,
    sha256: normalized.converted ? sha256Hex(normalized.data) : inputSha256,
  };
  const filename = normalized.converted
    ? renameForType(original.filename, normalized.mediaType)
    : original.filename;
  if (filename !== undefined) part.filename = filename;
  if (original.detail !== undefined) part.detail = original.detail;
  return part;
}

const EXTENSION_BY_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/** `photo.heic` converted to JPEG is uploaded as `photo.jpg`, so sites that trust extensions agree. */
function renameForType(filename: string | undefined, mediaType: string): string | undefined {
  const extension = EXTENSION_BY_TYPE[mediaType];
  if (filename === undefined || extension === undefined) return filename;
  const dot = filename.lastIndexOf('.');
  return `${dot > 0 ? filename.slice(0, dot) : filename}.${extension}`;
}

function tooLarge(size: number, limits: AttachmentLimits): string {
  return `is too large (${formatBytes(size)}; the limit is ${formatBytes(limits.maxInputBytes)})`;
}

/**
 * Runs jobs with bounded concurrency. The first failure cancels the rest (their downloads abort) and is
 * the one reported; a caller abort wins over everything.
 */
async function runAll<T>(
  jobs: readonly Job[],
  concurrency: number,
  outer: AbortSignal,
  work: (job: Job, signal: AbortSignal) => Promise<T>,
): Promise<Array<T | undefined>> {
  outer.throwIfAborted();
  const stop = new AbortController();
  const signal = AbortSignal.any([outer, stop.signal]);
  const results: Array<T | undefined> = new Array(jobs.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && !signal.aborted && next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (job === undefined) return;
      try {
        results[index] = await work(job, signal);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          stop.abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  if (outer.aborted) throw outer.reason;
  if (failure !== undefined) throw failure.error;
  return results;
}
