import { GatewayError } from '../../core/errors.ts';
import type { SiteAttachment } from '../../site-contract/site.ts';

/** What `upload` learned about a file, kept inside the attachment id so `send` can describe it. */
export interface UploadedQwenFile {
  id: string;
  url: string;
  name: string;
  size: number;
  mediaType: string;
}

const PREFIX = 'qwen-file:';

export function toQwenAttachment(file: UploadedQwenFile): SiteAttachment {
  return {
    fileId: PREFIX + Buffer.from(JSON.stringify(file), 'utf8').toString('base64url'),
    mediaType: file.mediaType,
    filename: file.name,
  };
}

export function fromQwenAttachment(attachment: SiteAttachment): UploadedQwenFile {
  if (!attachment.fileId.startsWith(PREFIX)) {
    throw new GatewayError('invalid_request', 'This attachment was not uploaded to Qwen Chat.', {
      param: 'attachments',
    });
  }
  try {
    return JSON.parse(
      Buffer.from(attachment.fileId.slice(PREFIX.length), 'base64url').toString('utf8'),
    ) as UploadedQwenFile;
  } catch {
    throw new GatewayError('invalid_request', 'This Qwen Chat attachment id is damaged.', {
      param: 'attachments',
    });
  }
}

/** The upload's coarse type as the STS request names it (`filetype`). */
export function qwenFileType(mediaType: string): 'image' | 'video' | 'audio' | 'file' {
  const main = mediaType.split('/')[0];
  return main === 'image' || main === 'video' || main === 'audio' ? main : 'file';
}

/**
 * The `messages[0].files[]` entry the web client sends for an uploaded file (shape as in
 * xtekky/gpt4free Qwen.py @ 079a5fd2 and Rfym21/Qwen2API upload.js @ 3e11841d `buildChatFileDescriptor`).
 */
export function qwenFileDescriptor(file: UploadedQwenFile, now: number): Record<string, unknown> {
  const type = qwenFileType(file.mediaType);
  const fileClass = type === 'image' ? 'vision' : type === 'file' ? 'document' : type;
  return {
    type,
    file: {
      created_at: now,
      data: {},
      filename: file.name,
      hash: null,
      id: file.id,
      meta: { name: file.name, size: file.size, content_type: file.mediaType },
      update_at: now,
    },
    id: file.id,
    url: file.url,
    name: file.name,
    collection_name: '',
    progress: 0,
    status: 'uploaded',
    greenNet: 'success',
    size: file.size,
    error: '',
    itemId: file.id,
    file_type: file.mediaType,
    showType: type,
    file_class: fileClass,
    uploadTaskId: file.id,
  };
}
