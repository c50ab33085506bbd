import { GatewayError } from '../../core/errors.ts';
import { parseErrorBody } from '../kit/map-upstream-error.ts';
import { NeedsLoginError, parseRetryAfter, ThreadNotFoundError } from '../../site-contract/site-errors.ts';

export interface HuggingChatFailure {
  status: number;
  body: string;
  retryAfter?: string | null;
  action: string;
  /** Set when the request targeted an existing conversation (404 then means it is gone). */
  conversationId?: string;
}

/**
 * chat-ui answers errors as SvelteKit `error(status, message)` → `{ "message": "…" }`; the statuses
 * and messages come from its routes (401 Unauthorized, 404 Conversation not found, 410 Model not
 * available anymore, 413 file too large, 429 rateLimited / too many messages in the conversation).
 */
export function mapHuggingChatError(failure: HuggingChatFailure): GatewayError {
  const { message } = parseErrorBody(failure.body);
  const detail = `HuggingChat refused to ${failure.action} (${failure.status})${message ? `: ${message}` : '.'}`;
  switch (failure.status) {
    case 401:
      return new NeedsLoginError('HuggingChat does not accept the configured token or hf-chat cookie');
    case 403:
      return new GatewayError('permission', detail);
    case 404:
      return failure.conversationId
        ? new ThreadNotFoundError(failure.conversationId)
        : new GatewayError('not_found', detail);
    case 410:
      return new GatewayError('not_found', detail, { param: 'model' });
    case 413:
      return new GatewayError('request_too_large', detail);
    case 429:
      // "This conversation has more than N messages" is a per-thread cap: a fresh thread helps.
      if (failure.conversationId && /messages/i.test(message) && /conversation/i.test(message)) {
        return new ThreadNotFoundError(failure.conversationId);
      }
      return new GatewayError('rate_limit', detail, {
        retryAfterSeconds: parseRetryAfter(failure.retryAfter) ?? 60,
      });
    case 400:
      return new GatewayError(
        /too long/i.test(message) ? 'context_length_exceeded' : 'invalid_request',
        detail,
      );
    default:
      return new GatewayError(failure.status >= 500 ? 'upstream' : 'invalid_request', detail);
  }
}
