import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../core/errors.ts';
import type { SiteAttachment, SiteTurn, UploadInput } from '../../site-contract/site.ts';

/** A file as a format-2 send body sees it (`{{f.dataUrl}}`, `{{f.name}}`…). */
export interface InlineFileVars {
  id: string;
  name: string;
  size: number;
  type: string;
  /** The bytes, base64. */
  base64: string;
  dataUrl: string;
  /** The bytes as a File (for a multipart body). */
  bytes: File;
}

const MAX_FILES = 64;

/**
 * The files of an `upload: inline` recipe: "uploading" keeps the bytes here under a new id, and the
 * send body carries them. Bounded (oldest forgotten first); a turn naming a forgotten id fails clearly.
 */
export class InlineFiles {
  readonly #files = new Map<string, UploadInput>();

  add(file: UploadInput): SiteAttachment {
    const fileId = `inline-${randomUUID()}`;
    this.#files.set(fileId, file);
    while (this.#files.size > MAX_FILES) {
      const oldest = this.#files.keys().next().value;
      if (oldest === undefined) break;
      this.#files.delete(oldest);
    }
    return { fileId, mediaType: file.mediaType, filename: file.filename };
  }

  vars(attachment: SiteAttachment): InlineFileVars {
    const file = this.#files.get(attachment.fileId);
    if (!file)
      throw new GatewayError(
        'invalid_request',
        `The file '${attachment.filename ?? attachment.fileId}' is no longer held by the gateway; send it again.`,
      );
    return inlineFileVars(attachment.fileId, file);
  }
}

export function inlineFileVars(id: string, file: UploadInput): InlineFileVars {
  const base64 = Buffer.from(file.data).toString('base64');
  return {
    id,
    name: file.filename,
    size: file.data.byteLength,
    type: file.mediaType,
    base64,
    dataUrl: `data:${file.mediaType};base64,${base64}`,
    bytes: new File([file.data as Uint8Array<ArrayBuffer>], file.filename, { type: file.mediaType }),
  };
}

/** A file a format-2 body sees when the recipe uploads through the site (no bytes kept). */
function uploadedFileVars(attachment: SiteAttachment): Partial<InlineFileVars> {
  return {
    id: attachment.fileId,
    type: attachment.mediaType,
    name: attachment.filename ?? attachment.fileId,
  };
}

/**
 * The conversation the turn sends, for `$each` bodies: an optional system message, tool results,
 * then the user's message with its content parts (text, then one part per file).
 */
export function conversationVars(
  turn: SiteTurn,
  files: InlineFiles | undefined,
): { messages: Record<string, unknown>[]; files: Partial<InlineFileVars>[] | undefined } {
  const fileVars = turn.attachments.map((attachment) =>
    files ? files.vars(attachment) : uploadedFileVars(attachment),
  );
  const messages: Record<string, unknown>[] = [];
  const systemPrompt = turn.threadId === undefined ? turn.systemPrompt : undefined;
  if (systemPrompt)
    messages.push({ role: 'system', text: systemPrompt, parts: [{ type: 'text', text: systemPrompt }] });
  for (const result of turn.toolResults ?? []) {
    messages.push({
      role: 'tool',
      text: result.content,
      toolCallId: result.toolCallId,
      name: result.name,
      isError: result.isError,
      parts: [{ type: 'text', text: result.content }],
    });
  }
  const parts: Record<string, unknown>[] = [];
  if (turn.text !== '') parts.push({ type: 'text', text: turn.text });
  for (const file of fileVars) {
    parts.push({ ...file, type: file.type?.startsWith('image/') ? 'image' : 'file', mediaType: file.type });
  }
  messages.push({ role: 'user', text: turn.text, parts, files: fileVars });
  return { messages, files: fileVars.length > 0 ? fileVars : undefined };
}
