import type { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';

/** One held generation slot on a site account. `release` is idempotent. */
export interface SlotLease {
  release(): void;
}

/**
 * Where a site account's generation slots live: this process (memory) or Redis (global across
 * gateway processes). `tryAcquire` never waits for a slot; the fair queue decides who tries when.
 */
export interface SlotPool {
  /** Slots in all; read on every try, so a pool whose accounts change at runtime can pass a function. */
  readonly limit: number;
  tryAcquire(): Promise<SlotLease | undefined>;
  /** Called when a slot may have freed up in this process. */
  onRelease(listener: () => void): void;
  /** Slots held by this process. */
  held(): number;
}

/** A fixed slot count, or a function read on every try (an account pool's live total). */
export type SlotLimit = number | (() => number);

const readLimit = (limit: SlotLimit): number => {
  const value = typeof limit === 'function' ? limit() : limit;
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : Number.MAX_SAFE_INTEGER;
};

function onceLease(release: () => void): SlotLease {
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      release();
    },
  };
}

export class MemorySlotPool implements SlotPool {
  #held = 0;
  readonly #listeners: (() => void)[] = [];

  readonly #limit: SlotLimit;

  constructor(limit: SlotLimit) {
    this.#limit = limit;
  }

  get limit(): number {
    return readLimit(this.#limit);
  }

  async tryAcquire(): Promise<SlotLease | undefined> {
    return this.acquireNow();
  }

  acquireNow(): SlotLease | undefined {
    if (this.#held >= this.limit) return undefined;
    this.#held++;
    return onceLease(() => {
      this.#held--;
      for (const listener of this.#listeners) listener();
    });
  }

  onRelease(listener: () => void): void {
    this.#listeners.push(listener);
  }

  held(): number {
    return this.#held;
  }
}

export interface RedisSlotPoolOptions {
  /** A crashed holder's slot frees after this long (held slots are refreshed well before). */
  leaseMs: number;
}

/**
 * Slots as a `redis-semaphore` semaphore: every lease is one semaphore holder whose entry expires
 * `leaseMs` after its last refresh, so a crashed gateway process frees its slots by itself.
 * Redis errors propagate: the caller applies the fail-open / fail-closed policy.
 */
export class RedisSlotPool implements SlotPool {
  #held = 0;
  readonly #listeners: (() => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly slots: SlotLimit,
    private readonly options: RedisSlotPoolOptions,
    private readonly onLost: (error: Error) => void,
  ) {}

  get limit(): number {
    return readLimit(this.slots);
  }

  async tryAcquire(): Promise<SlotLease | undefined> {
    const semaphore = new Semaphore(this.redis, this.key, this.limit, {
      lockTimeout: this.options.leaseMs,
      refreshInterval: Math.floor(this.options.leaseMs / 3),
      acquireAttemptsLimit: 1,
      onLockLost: (error) => this.onLost(error),
    });
    if (!(await semaphore.tryAcquire())) return undefined;
    this.#held++;
    return onceLease(() => {
      this.#held--;
      // A failed release (Redis down) is covered by the lease expiry.
      semaphore.release().catch((error: unknown) => this.onLost(error as Error));
      for (const listener of this.#listeners) listener();
    });
  }

  onRelease(listener: () => void): void {
    this.#listeners.push(listener);
  }

  held(): number {
    return this.#held;
  }
}
