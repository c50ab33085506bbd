import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { GatewayError } from '../core/errors.ts';
import type { LimitState } from './rate-limit-headers.ts';

/** Limits of one scope (global, a user, a key). Each is optional; absent means unlimited. */
export interface Limits {
  rpm?: number;
  tpm?: number;
  maxConcurrent?: number;
}

export type Scope = 'global' | 'user' | 'key';
export interface ScopedLimits {
  scope: Scope;
  /** `global`, the user id or the key id. */
  id: string;
  limits: Limits;
}

export type LimitRejection = 'rpm' | 'tpm' | 'concurrency';

/** What admission took from the limiters; given back (corrected) at settlement. */
export interface Reservation {
  requests: LimitState | undefined;
  tokens: LimitState | undefined;
  /** Correct the token reservation to what was really used, and free concurrency. Idempotent. */
  settle(actualTokens: number | undefined): Promise<void>;
}

export interface RequestLimiterOptions {
  redis?: Redis;
  /** A crashed process's concurrency count frees after this long. */
  concurrencyLeaseSeconds: number;
  prefix: string;
}

type Taken = { limiter: RateLimiterAbstract; key: string; points: number };

/**
 * Requests per minute, tokens per minute and concurrent requests for every scope, on
 * `rate-limiter-flexible` (memory, or Redis so the counts are shared by all gateway processes).
 * Concurrency is a counter with a long window: +1 at admission, given back at settlement.
 */
export class RequestLimiter {
  readonly #limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly options: RequestLimiterOptions) {}

  #limiter(kind: LimitRejection, points: number): RateLimiterAbstract {
    const duration = kind === 'concurrency' ? this.options.concurrencyLeaseSeconds : 60;
    const name = `${this.options.prefix}:${kind}:${points}`;
    let limiter = this.#limiters.get(name);
    if (!limiter) {
      limiter = this.options.redis
        ? new RateLimiterRedis({ storeClient: this.options.redis, keyPrefix: name, points, duration })
        : new RateLimiterMemory({ keyPrefix: name, points, duration });
      this.#limiters.set(name, limiter);
    }
    return limiter;
  }

  /**
   * Takes one request, `reservedTokens` tokens and one concurrency unit from every scope, or
   * nothing (a 429 `rate_limit` GatewayError carrying `retryAfterSeconds` and the limit's state).
   * Store errors are thrown as they are, for the caller's fail-open / fail-closed policy.
   */
  async reserve(scopes: ScopedLimits[], reservedTokens: number): Promise<Reservation> {
    const taken: Taken[] = [];
    const requestStates: LimitState[] = [];
    const tokenStates: LimitState[] = [];
    const tokenTakes: Taken[] = [];
    const concurrencyTakes: Taken[] = [];
    const take = async (kind: LimitRejection, scope: ScopedLimits, limit: number, points: number) => {
      const limiter = this.#limiter(kind, limit);
      const key = `${scope.scope}:${scope.id}`;
      try {
        const res = await limiter.consume(key, points);
        const item = { limiter, key, points };
        taken.push(item);
        const state = { limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
        if (kind === 'rpm') requestStates.push(state);
        if (kind === 'tpm') {
          tokenStates.push(state);
          tokenTakes.push(item);
        }
        if (kind === 'concurrency') concurrencyTakes.push(item);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const state = { limit, remaining: 0, resetMs: error.msBeforeNext };
        throw new LimitExceeded(kind, scope.scope, state);
      }
    };
    try {
      for (const scope of scopes) {
        const { rpm, tpm, maxConcurrent } = scope.limits;
        if (rpm !== undefined) await take('rpm', scope, rpm, 1);
        if (tpm !== undefined) await take('tpm', scope, tpm, Math.min(reservedTokens, tpm));
        if (maxConcurrent !== undefined) await take('concurrency', scope, maxConcurrent, 1);
      }
    } catch (error) {
      await Promise.allSettled(taken.map((t) => t.limiter.reward(t.key, t.points)));
      throw error;
    }
    let settled = false;
    const tightestOf = (states: LimitState[]) =>
      states.reduce<LimitState | undefined>((a, b) => (!a || b.remaining < a.remaining ? b : a), undefined);
    return {
      requests: tightestOf(requestStates),
      tokens: tightestOf(tokenStates),
      settle: async (actualTokens) => {
        if (settled) return;
        settled = true;
        const work: Promise<unknown>[] = concurrencyTakes.map((t) => t.limiter.reward(t.key, 1));
        if (actualTokens !== undefined) {
          for (const t of tokenTakes) {
            const diff = actualTokens - t.points;
            if (diff > 0) work.push(t.limiter.penalty(t.key, diff));
            if (diff < 0) work.push(t.limiter.reward(t.key, -diff));
          }
        }
        await Promise.allSettled(work);
      },
    };
  }
}

/** A limit said no: a 429 with the limit's state, so the headers can show it. */
export class LimitExceeded extends GatewayError {
  constructor(
    readonly limit: LimitRejection,
    readonly scope: Scope,
    readonly state: LimitState,
  ) {
    const what = { rpm: 'requests per minute', tpm: 'tokens per minute', concurrency: 'concurrent requests' };
    const whose = { global: 'the gateway', user: 'your user', key: 'this API key' };
    super('rate_limit', `Rate limit reached: ${what[limit]} for ${whose[scope]}.`, {
      retryAfterSeconds: limit === 'concurrency' ? 1 : Math.max(1, Math.ceil(state.resetMs / 1000)),
    });
  }
}
