import type { MediaPart } from '../core/chat-request.ts';
import { GatewayError } from '../core/errors.ts';
import type { Site, SiteAttachment } from '../site-contract/site.ts';

export interface UploadDeduper {
  getOrUpload(
    accountKey: string,
    part: { data: Uint8Array; mediaType: string; filename?: string },
    upload: () => Promise<SiteAttachment>,
  ): Promise<SiteAttachment>;
}

/** Uploads the turn's media to the site, once per content hash and account. */
export async function uploadMedia(
  site: Site,
  media: MediaPart[],
  uploads: UploadDeduper,
  signal: AbortSignal,
): Promise<SiteAttachment[]> {
  const out: SiteAttachment[] = [];
  for (const part of media) {
    if (!part.data) throw new GatewayError('invalid_request', 'An attachment has no content.');
    const data = part.data;
    const mediaType = part.mediaType ?? 'application/octet-stream';
    const filename = part.filename ?? defaultFilename(part.type, mediaType);
    out.push(
      await uploads.getOrUpload(site.id, { data, mediaType, filename }, () =>
        site.upload({ data, mediaType, filename }, signal),
      ),
    );
  }
  return out;
}

function defaultFilename(type: 'image' | 'file', mediaType: string): string {
  const extension = mediaType.split('/')[1]?.split(/[+;]/)[0] ?? 'bin';
  return `${type === 'image' ? 'image' : 'file'}.${extension}`;
}
