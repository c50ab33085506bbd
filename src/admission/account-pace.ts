import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { GatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { AdmissionConfig } from './admission-config.ts';
import { redisUp } from './redis-connection.ts';

/**
 * Turns per minute on one site account ("human pace"): the fair queue counts a start here before it
 * takes a slot, and gives the count back when no slot was free. A turn over the pace waits in the
 * queue; it is never refused for the pace alone.
 */
export interface AccountPace {
  readonly rpm: number;
  /** Counts one turn start: 0 when it may start now, else the ms until one may (nothing counted). */
  take(): Promise<number>;
  /** Gives back the last start counted, which did not happen (no slot was free). */
  giveBack(): Promise<void>;
}

export interface AccountPaceOptions {
  rpm: number;
  /** The account, e.g. `demo:default`. */
  account: string;
  /** Shared across gateway processes when set. */
  redis?: Redis;
  policy: AdmissionConfig['onStoreError'];
  logger: Logger;
  /** The window; 60 s for a per-minute pace (tests shorten it). */
  windowSeconds?: number;
}

export function createAccountPace(options: AccountPaceOptions): AccountPace {
  const duration = options.windowSeconds ?? 60;
  const keyPrefix = `wcg:adm:pace:${options.account}`;
  const memory = new RateLimiterMemory({ keyPrefix, points: options.rpm, duration });
  const shared = options.redis
    ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix, points: options.rpm, duration })
    : undefined;
  const key = 'turns';
  let counted: RateLimiterAbstract | undefined;

  const consume = async (limiter: RateLimiterAbstract): Promise<number> => {
    try {
      await limiter.consume(key, 1);
      counted = limiter;
      return 0;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, error.msBeforeNext);
      throw error;
    }
  };

  return {
    rpm: options.rpm,
    async take() {
      counted = undefined;
      if (!shared) return consume(memory);
      if (options.redis && redisUp(options.redis)) {
        try {
          return await consume(shared);
        } catch (error) {
          options.logger.error({ err: error }, 'ADMISSION STORE ERROR: Redis pace call failed');
        }
      }
      if (options.policy === 'fail-open') return consume(memory);
      throw new GatewayError(
        'overloaded',
        'The gateway cannot reach its admission store; try again shortly.',
        {
          status: 503,
          retryAfterSeconds: 5,
        },
      );
    },
    async giveBack() {
      const limiter = counted;
      counted = undefined;
      await limiter?.reward(key, 1).catch(() => undefined);
    },
  };
}
