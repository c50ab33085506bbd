import { GatewayError } from '../../core/errors.ts';
import {
  AccountDisabledError,
  NeedsLoginError,
  parseRetryAfter,
  ThreadNotFoundError,
} from '../../site-contract/site-errors.ts';
import { DemoErrorBody } from './demo-wire.ts';

/**
 * A demo-site error response to the gateway error it means, for every demo transport (plain HTTP,
 * in-page fetch, the UI's requests seen by network capture). The HTTP adapter logs in again on a
 * 401 before it gets here; a UI-driven send does the same.
 */
export function mapDemoError(
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  action: string,
  threadId?: string,
): GatewayError {
  const error = parseDemoError(bodyText);
  const code = error?.code ?? 'unknown';
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader);
  const detail = `The site refused to ${action} (${status} ${code}).`;
  switch (status) {
    case 400:
    case 415:
      return new GatewayError('invalid_request', detail);
    case 401:
      return new NeedsLoginError('the session could not be renewed');
    case 403:
      if (code === 'account_banned')
        return new AccountDisabledError(error?.message ?? 'the site says the account is suspended');
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

/** `{code, message}` of a demo JSON error body, or undefined for anything else. */
export function parseDemoError(text: string): { code: string; message?: string } | undefined {
  try {
    const parsed = DemoErrorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/** The reason shown on the site's "account suspended" page, or undefined when the HTML is another page. */
export function suspendedPageReason(html: string): string | undefined {
  if (!SUSPENDED_PAGE.test(html)) return undefined;
  const reason = SUSPENDED_REASON.exec(html)?.[1]?.trim();
  return reason ? decodeEntities(reason) : 'the site shows its account suspended page';
}

const SUSPENDED_PAGE = /data-testid=["']account-banned["']/;
const SUSPENDED_REASON = /data-testid=["']account-banned-reason["'][^>]*>([^<]*)</;

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
