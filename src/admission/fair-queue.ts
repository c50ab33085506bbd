import { GatewayError } from '../core/errors.ts';
import type { AccountPace } from './account-pace.ts';
import type { SlotLease, SlotPool } from './slot-pool.ts';

export interface FairQueueOptions {
  pool: SlotPool;
  maxQueuedPerUser: number;
  maxQueuedTotal: number;
  /** Longest a request waits for a slot before a 429. */
  maxWaitMs: number;
  /** Minimum time between two turns started on this account ("human pace"). */
  minSpacingMs: number;
  /** Turns per minute on this account; a turn over it waits its turn in the queue. */
  pace?: AccountPace;
  /** How often to look for a slot freed by another process (Redis pools). */
  pollMs: number;
}

export type QueueRejection = 'queue_full_user' | 'queue_full' | 'queue_timeout' | 'aborted' | 'store_error';

interface Waiter {
  user: string;
  resolve(lease: SlotLease): void;
  reject(error: unknown): void;
  cleanup(): void;
}

export interface QueueEvents {
  onGranted(waitedMs: number): void;
  onRejected(reason: QueueRejection): void;
}

/**
 * The waiting room in front of one site account's slots. Users take turns (the least recently
 * served waiting user goes next, FIFO within a user), so a user with 50 waiting requests delays another user's single request by
 * at most one slot grant. Bounded per user and overall; each waiter has a deadline and leaves the
 * moment its signal aborts (the site never sees its turn).
 */
export class FairQueue {
  readonly #byUser = new Map<string, Waiter[]>();
  /** Grant number at which each waiting user was last served: the least recently served goes next. */
  readonly #lastServed = new Map<string, number>();
  #queued = 0;
  #pumping = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #lastStart = 0;
  /** Grants in order, for tests and the snapshot (bounded). */
  #grants = 0;

  constructor(
    private readonly options: FairQueueOptions,
    private readonly events: QueueEvents,
  ) {
    options.pool.onRelease(() => this.#pump());
  }

  get queued(): number {
    return this.#queued;
  }

  get slots(): number {
    return this.options.pool.limit;
  }

  /** The account's turns-per-minute pace, if it has one. */
  get rpm(): number | undefined {
    return this.options.pace?.rpm;
  }

  /** Slots this process holds on the account. */
  get active(): number {
    return this.options.pool.held();
  }

  get granted(): number {
    return this.#grants;
  }

  queuedByUser(): Record<string, number> {
    return Object.fromEntries([...this.#byUser].map(([user, list]) => [user, list.length]));
  }

  acquire(user: string, signal: AbortSignal): Promise<SlotLease> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const mine = this.#byUser.get(user)?.length ?? 0;
    const retryAfterSeconds = Math.max(1, Math.ceil(this.options.maxWaitMs / 1000 / 4));
    if (mine >= this.options.maxQueuedPerUser) {
      this.events.onRejected('queue_full_user');
      return Promise.reject(
        new GatewayError('rate_limit', 'Too many of your requests are waiting for this site account.', {
          retryAfterSeconds,
        }),
      );
    }
    if (this.#queued >= this.options.maxQueuedTotal) {
      this.events.onRejected('queue_full');
      return Promise.reject(
        new GatewayError('overloaded', 'The site account is busy and its queue is full.', {
          status: 429,
          retryAfterSeconds,
        }),
      );
    }
    const enqueuedAt = Date.now();
    return new Promise<SlotLease>((resolve, reject) => {
      const onAbort = () => {
        this.#remove(waiter);
        this.events.onRejected('aborted');
        reject(signal.reason);
      };
      const deadline = setTimeout(() => {
        this.#remove(waiter);
        this.events.onRejected('queue_timeout');
        reject(
          new GatewayError('overloaded', 'Timed out waiting for a free slot on the site account.', {
            status: 429,
            retryAfterSeconds,
          }),
        );
      }, this.options.maxWaitMs);
      const waiter: Waiter = {
        user,
        resolve: (lease) => {
          this.events.onGranted(Date.now() - enqueuedAt);
          resolve(lease);
        },
        reject,
        cleanup: () => {
          clearTimeout(deadline);
          signal.removeEventListener('abort', onAbort);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const list = this.#byUser.get(user);
      if (list) list.push(waiter);
      else this.#byUser.set(user, [waiter]);
      this.#queued++;
      this.#pump();
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const list of this.#byUser.values()) {
      for (const waiter of list) {
        waiter.cleanup();
        waiter.reject(new GatewayError('overloaded', 'The gateway is shutting down.'));
      }
    }
    this.#byUser.clear();
    this.#queued = 0;
  }

  #remove(waiter: Waiter): void {
    waiter.cleanup();
    const list = this.#byUser.get(waiter.user);
    const at = list?.indexOf(waiter) ?? -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    this.#queued--;
    if (list.length === 0) {
      this.#byUser.delete(waiter.user);
      this.#lastServed.delete(waiter.user);
    }
  }

  /** Hands free slots to waiters, users in turn. One pump runs at a time; a second request re-runs it. */
  #pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#drain().finally(() => {
      this.#pumping = false;
      if (this.#again) {
        this.#again = false;
        this.#pump();
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queued > 0) {
      const wait = this.#lastStart + this.options.minSpacingMs - Date.now();
      if (wait > 0) return this.#retryIn(wait);
      const pace = this.options.pace;
      let lease: SlotLease | undefined;
      try {
        // The pace is counted first (atomic in its store) and given back when no slot is free.
        const paced = pace ? await pace.take() : 0;
        if (paced > 0) return this.#retryIn(paced);
        lease = await this.options.pool.tryAcquire();
        if (!lease) await pace?.giveBack();
      } catch (error) {
        await pace?.giveBack();
        this.#failAll(error);
        return;
      }
      if (!lease) return this.#retryIn(this.options.pollMs);
      const user = this.#nextUser();
      const list = user === undefined ? undefined : this.#byUser.get(user);
      if (user === undefined || !list) {
        await pace?.giveBack();
        lease.release();
        return;
      }
      const waiter = list.shift() as Waiter;
      this.#queued--;
      this.#lastServed.set(user, this.#grants);
      if (list.length === 0) {
        this.#byUser.delete(user);
        this.#lastServed.delete(user);
      }
      waiter.cleanup();
      this.#grants++;
      this.#lastStart = Date.now();
      waiter.resolve(lease);
    }
  }

  /** The waiting user served longest ago (never served first); ties go to the earliest to queue. */
  #nextUser(): string | undefined {
    let best: string | undefined;
    let bestServed = Number.POSITIVE_INFINITY;
    for (const user of this.#byUser.keys()) {
      const served = this.#lastServed.get(user) ?? -1;
      if (served < bestServed) {
        best = user;
        bestServed = served;
      }
    }
    return best;
  }

  #retryIn(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), ms);
    this.#timer.unref();
  }

  #failAll(error: unknown): void {
    for (const list of this.#byUser.values()) {
      for (const waiter of list) {
        waiter.cleanup();
        this.events.onRejected('store_error');
        waiter.reject(error);
      }
    }
    this.#byUser.clear();
    this.#queued = 0;
  }
}
