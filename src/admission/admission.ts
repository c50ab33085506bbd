import type { Redis } from 'ioredis';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createAccountPace } from './account-pace.ts';
import type { AdmissionConfig } from './admission-config.ts';
import { FairQueue, type QueueRejection } from './fair-queue.ts';
import type { LimitState } from './rate-limit-headers.ts';
import { connectAdmissionRedis, redisUp } from './redis-connection.ts';
import { LimitExceeded, type Limits, RequestLimiter, type ScopedLimits } from './request-limits.ts';
import { MemorySlotPool, RedisSlotPool, type SlotLease, type SlotPool } from './slot-pool.ts';
import { WaitStats } from './wait-stats.ts';

/** Per-user and per-key limits of a caller; the lead connects this to the users table (issue 17). */
export type LimitsFor = (
  principal: Principal,
) => { user?: Limits; key?: Limits } | undefined | Promise<{ user?: Limits; key?: Limits } | undefined>;

export interface AdmitInput {
  principal: Principal;
  siteId: string;
  /** The site account; `default` while each site has one. */
  accountId?: string;
  reservedTokens: number;
  signal: AbortSignal;
}

export interface Ticket {
  requests: LimitState | undefined;
  tokens: LimitState | undefined;
  /** Frees the account slot and concurrency, corrects the token reservation. Idempotent. */
  release(actualTokens?: number): void;
}

export interface AdmissionHealth {
  store: 'memory' | 'redis';
  status: 'ok' | 'degraded' | 'down';
  policy: AdmissionConfig['onStoreError'];
}

export interface Admission {
  admit(input: AdmitInput): Promise<Ticket>;
  snapshot(): AdmissionSnapshot;
  health(): AdmissionHealth;
  close(): Promise<void>;
}

export interface AdmissionSnapshot {
  admitted: number;
  rejections: Record<string, number>;
  wait: ReturnType<WaitStats['summary']>;
  accounts: Record<
    string,
    {
      slots: number;
      rpm?: number;
      active: number;
      queued: number;
      queuedByUser: Record<string, number>;
      granted: number;
    }
  >;
  health: AdmissionHealth;
}

export interface AdmissionDeps {
  logger: Logger;
  limitsFor?: LimitsFor;
  /** Sites driven in a browser: their accounts get `accounts.browserMaxConcurrent` slots unless configured. */
  browserSites?: string[];
  /**
   * Slots of sites served by an account pool: the live sum of their accounts' (read on every try,
   * so accounts added or removed at runtime count; the config's `maxConcurrent` wins over it).
   */
  siteSlots?: Record<string, () => number>;
  /** Overrides `config.redisUrl` (tests); the config loader fills that from `REDIS_URL`. */
  redisUrl?: string;
}

/** Limits, then a fair wait for an account slot; everything a request takes is given back at release. */
export function createAdmission(config: AdmissionConfig, deps: AdmissionDeps): Admission {
  const redisUrl = deps.redisUrl ?? config.redisUrl;
  const redis: Redis | undefined = redisUrl ? connectAdmissionRedis(redisUrl, deps.logger) : undefined;
  const leaseSeconds = Math.ceil(config.leaseMs / 1000);
  const shared = new RequestLimiter({ redis, concurrencyLeaseSeconds: leaseSeconds, prefix: 'wcg:adm' });
  const local = redis
    ? new RequestLimiter({ concurrencyLeaseSeconds: leaseSeconds, prefix: 'wcg:adm' })
    : shared;
  const queues = new Map<string, FairQueue>();
  const rejections: Record<string, number> = {};
  const waits = new WaitStats(1000);
  let admitted = 0;
  const reject = (reason: string) => {
    rejections[reason] = (rejections[reason] ?? 0) + 1;
  };
  const storeDown = (error: unknown) =>
    new GatewayError('overloaded', 'The gateway cannot reach its admission store; try again shortly.', {
      status: 503,
      retryAfterSeconds: 5,
      cause: error,
    });

  const limitsFor: LimitsFor =
    deps.limitsFor ??
    ((principal) => ({ user: config.users[principal.userId], key: config.keys[principal.keyName] }));

  const queueFor = (input: AdmitInput): FairQueue | undefined => {
    const account = `${input.siteId}:${input.accountId ?? 'default'}`;
    let queue = queues.get(account);
    if (queue) return queue;
    const site = config.accounts.sites[input.siteId];
    const slots: number | (() => number) | undefined =
      site?.maxConcurrent ??
      deps.siteSlots?.[input.siteId] ??
      (deps.browserSites?.includes(input.siteId) ? config.accounts.browserMaxConcurrent : undefined);
    const spacing = site?.minSpacingMs ?? config.accounts.minSpacingMs;
    const rpm = site?.rpm ?? config.accounts.rpm;
    if (slots === undefined && spacing === 0 && rpm === undefined) return undefined;
    const limit = slots ?? Number.MAX_SAFE_INTEGER;
    const pool: SlotPool = redis
      ? new GuardedSlotPool(
          new RedisSlotPool(redis, `wcg:adm:slots:${account}`, limit, { leaseMs: config.leaseMs }, (error) =>
            deps.logger.warn({ err: error, account }, 'admission: a Redis slot lease was lost'),
          ),
          new MemorySlotPool(limit),
          config.onStoreError,
          redis,
          deps.logger,
        )
      : new MemorySlotPool(limit);
    queue = new FairQueue(
      {
        pool,
        maxQueuedPerUser: config.queue.maxPerUser,
        maxQueuedTotal: config.queue.maxTotal,
        maxWaitMs: config.queue.maxWaitMs,
        minSpacingMs: spacing,
        pace:
          rpm === undefined
            ? undefined
            : createAccountPace({ rpm, account, redis, policy: config.onStoreError, logger: deps.logger }),
        pollMs: redis ? config.queue.pollMs : 1000,
      },
      {
        onGranted: (ms) => waits.add(ms),
        onRejected: (reason: QueueRejection) => reject(reason),
      },
    );
    queues.set(account, queue);
    return queue;
  };

  const reserve = async (scopes: ScopedLimits[], tokens: number) => {
    if (!redis || redisUp(redis)) {
      try {
        return await shared.reserve(scopes, tokens);
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        deps.logger.error({ err: error }, 'ADMISSION STORE ERROR: Redis limiter call failed');
      }
    }
    if (config.onStoreError === 'fail-closed') {
      reject('store_error');
      throw storeDown(undefined);
    }
    return local.reserve(scopes, tokens);
  };

  return {
    async admit(input) {
      const own = (await limitsFor(input.principal)) ?? {};
      const scopes: ScopedLimits[] = [
        { scope: 'global', id: 'global', limits: config.global },
        { scope: 'user', id: input.principal.userId, limits: own.user ?? config.defaults.user },
        { scope: 'key', id: input.principal.keyId, limits: own.key ?? config.defaults.key },
      ];
      let reservation: Awaited<ReturnType<RequestLimiter['reserve']>>;
      try {
        reservation = await reserve(scopes, input.reservedTokens);
      } catch (error) {
        if (error instanceof LimitExceeded) reject(`${error.scope}_${error.limit}`);
        throw error;
      }
      let lease: SlotLease | undefined;
      const queue = queueFor(input);
      if (queue) {
        try {
          lease = await queue.acquire(input.principal.userId, input.signal);
        } catch (error) {
          void reservation.settle(0);
          throw error instanceof GatewayError || input.signal.aborted ? error : storeDown(error);
        }
      }
      admitted++;
      let released = false;
      return {
        requests: reservation.requests,
        tokens: reservation.tokens,
        release(actualTokens) {
          if (released) return;
          released = true;
          lease?.release();
          reservation.settle(actualTokens).catch((error: unknown) => {
            deps.logger.warn({ err: error }, 'admission: could not settle a reservation');
          });
        },
      };
    },
    snapshot() {
      return {
        admitted,
        rejections: { ...rejections },
        wait: waits.summary(),
        accounts: Object.fromEntries(
          [...queues].map(([account, queue]) => [
            account,
            {
              slots: queue.slots,
              ...(queue.rpm === undefined ? {} : { rpm: queue.rpm }),
              active: queue.active,
              queued: queue.queued,
              queuedByUser: queue.queuedByUser(),
              granted: queue.granted,
            },
          ]),
        ),
        health: this.health(),
      };
    },
    health() {
      if (!redis) return { store: 'memory', status: 'ok', policy: config.onStoreError };
      const up = redisUp(redis);
      return {
        store: 'redis',
        status: up ? 'ok' : config.onStoreError === 'fail-open' ? 'degraded' : 'down',
        policy: config.onStoreError,
      };
    },
    async close() {
      for (const queue of queues.values()) queue.close();
      if (redis) redis.disconnect();
    },
  };
}

/** A Redis slot pool that, while Redis is unreachable, falls back to memory (open) or says 503 (closed). */
class GuardedSlotPool implements SlotPool {
  constructor(
    private readonly primary: SlotPool,
    private readonly fallback: SlotPool,
    private readonly policy: AdmissionConfig['onStoreError'],
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  get limit(): number {
    return this.primary.limit;
  }

  async tryAcquire(): Promise<SlotLease | undefined> {
    if (redisUp(this.redis)) {
      try {
        return await this.primary.tryAcquire();
      } catch (error) {
        this.logger.error({ err: error }, 'ADMISSION STORE ERROR: Redis slot call failed');
      }
    }
    if (this.policy === 'fail-open') return this.fallback.tryAcquire();
    throw new GatewayError('overloaded', 'The gateway cannot reach its admission store; try again shortly.', {
      status: 503,
      retryAfterSeconds: 5,
    });
  }

  onRelease(listener: () => void): void {
    this.primary.onRelease(listener);
    this.fallback.onRelease(listener);
  }

  held(): number {
    return this.primary.held() + this.fallback.held();
  }
}
