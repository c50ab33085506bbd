import { GatewayError } from '../../core/errors.ts';
import {
  AccountDisabledError,
  NeedsLoginError,
  ThreadNotFoundError,
} from '../../site-contract/site-errors.ts';

/** The whole account (session, ban) as opposed to one of its models. */
export const WHOLE_ACCOUNT = '*';

/**
 * Health of one account for one model (or for the whole account). `until` is epoch ms; a state
 * without `until` lasts until something clears it (a successful login, an admin).
 */
export interface HealthState {
  /** failing: transient errors below the threshold (still serves); cooling: until `until`. */
  status: 'failing' | 'cooling' | 'needs-login' | 'disabled';
  reason: string;
  until?: number;
  /** Rate-limit strikes in a row: the next back-off is `backoffMinMs · 2^strikes`. */
  strikes: number;
  /** Recent transient failures (epoch ms), within the window. */
  failures: number[];
}

/** What a site error says about the account that produced it. */
export type ErrorVerdict =
  | { type: 'rate-limited'; retryAfterMs?: number }
  | { type: 'transient' }
  | { type: 'needs-login' }
  | { type: 'disabled' }
  /** The request's own fault (bad input, a thread gone): says nothing of the account. */
  | { type: 'request' };

export function classifySiteError(error: unknown): ErrorVerdict {
  if (error instanceof AccountDisabledError) return { type: 'disabled' };
  if (error instanceof NeedsLoginError) return { type: 'needs-login' };
  if (error instanceof ThreadNotFoundError) return { type: 'request' };
  if (!(error instanceof GatewayError)) return { type: 'transient' };
  switch (error.kind) {
    case 'rate_limit':
    case 'insufficient_quota':
      return error.retryAfterSeconds === undefined
        ? { type: 'rate-limited' }
        : { type: 'rate-limited', retryAfterMs: error.retryAfterSeconds * 1000 };
    case 'needs_login':
    case 'authentication':
      return { type: 'needs-login' };
    case 'upstream':
    case 'overloaded':
    case 'timeout':
    case 'internal':
      return { type: 'transient' };
    default:
      return { type: 'request' };
  }
}

export interface HealthPolicy {
  backoffMinMs: number;
  backoffMaxMs: number;
  transientFailures: number;
  transientWindowMs: number;
  transientCooldownMs: number;
  /** 0..1; multiplies a back-off by a factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

/**
 * The state after an error (undefined = healthy). Pure: `random` is the jitter source. A new
 * cooldown never shortens a running one (a second 429 cannot bring an account back sooner), and a
 * 429 during a running cooldown adds no strike (it met the limit already counted).
 */
export function afterError(
  previous: HealthState | undefined,
  verdict: ErrorVerdict,
  reason: string,
  now: number,
  policy: HealthPolicy,
  random: () => number = Math.random,
): HealthState | undefined {
  const strikes = previous?.strikes ?? 0;
  const failures = (previous?.failures ?? []).filter((at) => at > now - policy.transientWindowMs);
  const keep = (until: number) => Math.max(until, previous?.until ?? 0);
  switch (verdict.type) {
    case 'request':
      return previous;
    case 'disabled':
      return { status: 'disabled', reason, strikes, failures };
    case 'needs-login':
      return { status: 'needs-login', reason, strikes, failures };
    case 'rate-limited': {
      // Turns sent before the first 429 came back meet the same limit: one strike, not one each
      // (else a burst of k turns would back off 2^k times as long).
      if (previous?.status === 'cooling' && (previous.until ?? 0) > now) {
        const until = verdict.retryAfterMs === undefined ? 0 : now + verdict.retryAfterMs;
        return { ...previous, reason, until: keep(until), failures };
      }
      const backoff = Math.min(policy.backoffMaxMs, policy.backoffMinMs * 2 ** strikes);
      const factor = 1 + policy.jitter * (2 * random() - 1);
      const delay = verdict.retryAfterMs ?? Math.round(backoff * factor);
      return { status: 'cooling', reason, until: keep(now + delay), strikes: strikes + 1, failures };
    }
    case 'transient': {
      failures.push(now);
      if (failures.length < policy.transientFailures) {
        // Below the threshold: remembered, not cooling (a running cooldown stays).
        if (previous?.status === 'cooling' && (previous.until ?? 0) > now) return { ...previous, failures };
        return { status: 'failing', reason, strikes, failures };
      }
      return {
        status: 'cooling',
        reason,
        until: keep(now + policy.transientCooldownMs),
        strikes,
        failures: [],
      };
    }
  }
}

/** When the state lets the account serve again: now or earlier = available; Infinity = never by itself. */
export function availableAt(state: HealthState | undefined): number {
  if (!state) return 0;
  if (state.status === 'needs-login' || state.status === 'disabled') return Number.POSITIVE_INFINITY;
  return state.until ?? 0;
}
