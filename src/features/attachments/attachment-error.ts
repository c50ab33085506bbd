import { GatewayError } from '../../core/errors.ts';

/**
 * Every attachment problem is the caller's to fix, so it is a 400 `invalid_request` that names the field.
 * Oversized attachments are 400 too (as OpenAI and Anthropic answer for an oversized image); 413 is left
 * to the HTTP body limit, which is about the request as a whole.
 */
export function attachmentError(param: string | undefined, reason: string, cause?: unknown): GatewayError {
  const subject = param === undefined ? 'The attachment' : `The attachment in ${param}`;
  return new GatewayError('invalid_request', `${subject} ${reason}.`, { param, cause });
}
