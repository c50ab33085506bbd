import { GatewayError } from '../../core/errors.ts';
import type { SiteAttachment, UploadInput } from '../../site-contract/site.ts';

/**
 * Some sites take file bytes inside the message itself (OpenAI-compatible upstreams inline images
 * as data URLs; HuggingChat posts them as multipart parts of the message). They have no upload
 * step, so `upload()` keeps the bytes on the gateway side by making the file id the data URL
 * itself, and `send()` decodes it again. Self-contained ids need no store that could forget a
 * file the pipeline's upload cache still remembers (that cache keeps ids for hours).
 */
export function toInlineAttachment(file: UploadInput): SiteAttachment {
  const base64 = Buffer.from(file.data).toString('base64');
  return {
    fileId: `data:${file.mediaType};base64,${base64}`,
    mediaType: file.mediaType,
    filename: file.filename,
  };
}

export interface InlineFile {
  mediaType: string;
  filename: string;
  /** `data:<type>;base64,<payload>`, exactly as stored in the file id. */
  dataUrl: string;
  base64: string;
}

const INLINE_ID = /^data:([^;,]+);base64,([A-Za-z0-9+/]*={0,2})$/;

/** The bytes behind an id made by `toInlineAttachment`; a foreign id is a pipeline bug, said clearly. */
export function fromInlineAttachment(attachment: SiteAttachment): InlineFile {
  const match = INLINE_ID.exec(attachment.fileId);
  if (!match) {
    throw new GatewayError(
      'invalid_request',
      'This site only takes attachments uploaded through it (inline file ids).',
      { param: 'attachments' },
    );
  }
  const mediaType = attachment.mediaType || match[1] || 'application/octet-stream';
  return {
    mediaType,
    filename: attachment.filename ?? defaultFilename(mediaType),
    dataUrl: attachment.fileId,
    base64: match[2] ?? '',
  };
}

function defaultFilename(mediaType: string): string {
  const extension = mediaType.split('/')[1]?.split(/[+;]/)[0] ?? 'bin';
  return `${mediaType.startsWith('image/') ? 'image' : 'file'}.${extension}`;
}
