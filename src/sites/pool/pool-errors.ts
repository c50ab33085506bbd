import { GatewayError } from '../../core/errors.ts';
import { ThreadNotFoundError } from '../../site-contract/site-errors.ts';

/** The account holding a continued thread cannot serve now: the conversation goes on by flattening. */
export class ThreadAccountUnavailableError extends ThreadNotFoundError {
  readonly accountId: string;
  constructor(threadId: string, accountId: string, why: string) {
    super(threadId, 'account-unavailable');
    this.name = 'ThreadAccountUnavailableError';
    this.accountId = accountId;
    this.message = `The account holding thread ${threadId} cannot serve now (${why}).`;
  }
}

/** 429: every account offering the model cools down past the wait budget. */
export function coolingDownError(siteId: string, model: string, waitMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new GatewayError(
    'rate_limit',
    `Every account of site '${siteId}' is cooling down for ${model}; the earliest is free in ${seconds} s.`,
    { retryAfterSeconds: seconds },
  );
}

/** 429: the accounts tried were all rate limited, and `maxAttempts` ran out before a free one. */
export function attemptsRateLimitedError(siteId: string, model: string, tried: number): GatewayError {
  return new GatewayError(
    'rate_limit',
    `The ${tried} account${tried === 1 ? '' : 's'} of site '${siteId}' tried for ${model} ${tried === 1 ? 'was' : 'were'} rate limited; try again shortly.`,
    { retryAfterSeconds: 1 },
  );
}

/** 503 (or 429 upstream of it): every healthy account's slots stayed taken for the whole wait. */
export function allBusyError(siteId: string): GatewayError {
  return new GatewayError('overloaded', `Every account of site '${siteId}' is busy; try again shortly.`, {
    retryAfterSeconds: 1,
  });
}

/** 429: the free accounts are at their own pace (`rpm`, `minSpacingMs`) past the wait budget. */
export function pacedError(siteId: string, waitMs: number): GatewayError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new GatewayError(
    'rate_limit',
    `The accounts of site '${siteId}' are at their pace limit; the next turn can start in ${seconds} s.`,
    { retryAfterSeconds: seconds },
  );
}

/** 503: no account can serve the model at all (none configured, all disabled, none offers it). */
export function noAccountError(siteId: string, model: string, reasons: string[]): GatewayError {
  return new GatewayError(
    'overloaded',
    reasons.length === 0
      ? `Site '${siteId}' has no account; add one in the config or with the admin API.`
      : `No account of site '${siteId}' can serve ${model} now (${reasons.join('; ')}).`,
    { status: 503, retryAfterSeconds: 30 },
  );
}
