import { GatewayError } from '../../../core/errors.ts';
import { NeedsLoginError, parseRetryAfter, ThreadNotFoundError } from '../../../site-contract/site-errors.ts';
import { DemoErrorBody } from '../demo-wire.ts';

/**
 * A demo-site error response (seen on the wire by network capture) to the gateway error the HTTP
 * adapter would raise for it. 401 is not mapped here: the caller logs in again first.
 */
export function mapDemoError(
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  action: string,
  threadId?: string,
): GatewayError {
  const code = parseErrorCode(bodyText) ?? 'unknown';
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader);
  const detail = `The site refused to ${action} (${status} ${code}).`;
  switch (status) {
    case 400:
    case 415:
      return new GatewayError('invalid_request', detail);
    case 401:
      return new NeedsLoginError('the session could not be renewed');
    case 403:
      return code === 'challenge'
        ? new NeedsLoginError('the site shows a challenge page')
        : new GatewayError('permission', detail);
    case 404:
      return code === 'thread_not_found' && threadId
        ? new ThreadNotFoundError(threadId)
        : new GatewayError('not_found', detail);
    case 409:
      return new GatewayError('rate_limit', `${detail} Another message is in progress on this account.`, {
        retryAfterSeconds: retryAfterSeconds ?? 1,
      });
    case 413:
      return code === 'input_too_long'
        ? new GatewayError('context_length_exceeded', detail)
        : new GatewayError('request_too_large', detail);
    case 429:
      return new GatewayError('rate_limit', detail, { retryAfterSeconds });
    default:
      return new GatewayError('upstream', detail, { retryAfterSeconds });
  }
}

function parseErrorCode(text: string): string | undefined {
  try {
    const parsed = DemoErrorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error.code : undefined;
  } catch {
    return undefined;
  }
}
