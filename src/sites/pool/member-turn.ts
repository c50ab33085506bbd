import { GatewayError } from '../../core/errors.ts';
import type { SiteAttachment, SiteTurn } from '../../site-contract/site.ts';
import { PendingFiles } from './pending-files.ts';
import type { PoolMember } from './pool-member.ts';

/**
 * The turn as one account's own adapter takes it: that account's thread id, and the pool's held
 * files uploaded to that account (once per account, remembered for later turns).
 */
export async function turnForMember(
  member: PoolMember,
  turn: SiteTurn,
  threadId: string | undefined,
  files: PendingFiles,
  signal: AbortSignal,
): Promise<SiteTurn> {
  const attachments: SiteAttachment[] = [];
  for (const attachment of turn.attachments) {
    if (!PendingFiles.isHandle(attachment.fileId)) {
      attachments.push(attachment);
      continue;
    }
    let uploaded = member.uploads.get(attachment.fileId);
    if (!uploaded) {
      const file = files.get(attachment.fileId);
      if (!file) {
        throw new GatewayError(
          'invalid_request',
          'An attachment of this conversation is no longer held by the gateway; send it again.',
        );
      }
      uploaded = await member.site.upload(file, signal);
      member.uploads.set(attachment.fileId, uploaded);
    }
    attachments.push(uploaded);
  }
  const { threadId: _pooled, ...rest } = turn;
  return threadId === undefined ? { ...rest, attachments } : { ...rest, threadId, attachments };
}
