import { GatewayError } from '../core/errors.ts';

/** The site no longer knows a thread the gateway mapped; conversations fall back to a new thread. */
export class ThreadNotFoundError extends GatewayError {
  readonly threadId: string;
  /** `gone`: the site lost it; `account-unavailable`: the account holding it cannot serve now. */
  readonly why: 'gone' | 'account-unavailable';
  constructor(threadId: string, why: 'gone' | 'account-unavailable' = 'gone') {
    super('not_found', `The site no longer has thread ${threadId}.`, { retryable: true });
    this.name = 'ThreadNotFoundError';
    this.threadId = threadId;
    this.why = why;
  }
}

/** The account needs a person to log in (bad credentials, captcha, challenge page). */
export class NeedsLoginError extends GatewayError {
  constructor(reason: string) {
    super('needs_login', `The site account needs to log in again: ${reason}`, { retryable: false });
    this.name = 'NeedsLoginError';
  }
}

export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/**
 * The site has banned, suspended or disabled the account. Never retried on the same account: an
 * account pool takes the account out of rotation with this reason until a person enables it again.
 */
export class AccountDisabledError extends GatewayError {
  readonly reason: string;
  constructor(reason: string) {
    super('upstream', `The site has disabled the account: ${reason}`, { status: 503, retryable: false });
    this.name = 'AccountDisabledError';
    this.reason = reason;
  }
}
