import type { Logger } from '../../core/logger.ts';
import {
  afterError,
  availableAt,
  type ErrorVerdict,
  type HealthPolicy,
  type HealthState,
} from './account-health.ts';

/** Where health is kept beyond this process (the store's `account_health` table). */
export interface HealthStore {
  load(siteId: string): Promise<Array<{ accountId: string; model: string; state: HealthState }>>;
  save(siteId: string, accountId: string, model: string, state: HealthState): Promise<void>;
  remove(accountId: string, model?: string): Promise<void>;
}

/**
 * The health of a site's accounts per (account, model), in memory for the request path, written
 * through to the store and re-read from it every few seconds (another instance's cooldowns apply
 * here too, and a restart keeps them).
 */
export class HealthBook {
  readonly #states = new Map<string, Map<string, HealthState>>();
  readonly #siteId: string;
  readonly #policy: HealthPolicy;
  readonly #store: HealthStore | undefined;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #pending = new Set<Promise<void>>();
  /** Bumped on every local change, so a sync does not undo a change made while it read. */
  #version = 0;

  constructor(options: {
    siteId: string;
    policy: HealthPolicy;
    store?: HealthStore;
    logger: Logger;
    now?: () => number;
  }) {
    this.#siteId = options.siteId;
    this.#policy = options.policy;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  get(accountId: string, model: string): HealthState | undefined {
    return this.#states.get(accountId)?.get(model);
  }

  /** Every state of an account, by model (`*` = the whole account). */
  of(accountId: string): Record<string, HealthState> {
    return Object.fromEntries(this.#states.get(accountId) ?? []);
  }

  /** Epoch ms from which the account may serve the model (Infinity: not until cleared). */
  availableAt(accountId: string, model: string, wholeAccount: string): number {
    return Math.max(availableAt(this.get(accountId, wholeAccount)), availableAt(this.get(accountId, model)));
  }

  recordError(
    accountId: string,
    model: string,
    verdict: ErrorVerdict,
    reason: string,
  ): HealthState | undefined {
    const next = afterError(this.get(accountId, model), verdict, reason, this.#now(), this.#policy);
    if (next) this.set(accountId, model, next);
    return next;
  }

  set(accountId: string, model: string, state: HealthState): void {
    let states = this.#states.get(accountId);
    if (!states) {
      states = new Map();
      this.#states.set(accountId, states);
    }
    states.set(model, state);
    this.#version++;
    this.#persist(this.#store?.save(this.#siteId, accountId, model, state));
  }

  /** Back to healthy (a success, a login, an admin). */
  clear(accountId: string, model: string): void {
    const states = this.#states.get(accountId);
    if (!states?.has(model)) return;
    states.delete(model);
    this.#version++;
    this.#persist(this.#store?.remove(accountId, model));
  }

  forget(accountId: string): void {
    if (!this.#states.delete(accountId)) return;
    this.#version++;
    this.#persist(this.#store?.remove(accountId));
  }

  /** Replaces the in-memory states with the store's (every instance's writes). */
  async sync(): Promise<void> {
    if (!this.#store) return;
    await Promise.allSettled([...this.#pending]);
    const version = this.#version;
    const rows = await this.#store.load(this.#siteId);
    // A local change during the read wins; the next sync reads it back from the store.
    if (version !== this.#version) return;
    this.#states.clear();
    for (const row of rows) {
      let states = this.#states.get(row.accountId);
      if (!states) {
        states = new Map();
        this.#states.set(row.accountId, states);
      }
      states.set(row.model, row.state);
    }
  }

  #persist(write: Promise<void> | undefined): void {
    if (!write) return;
    const tracked = write
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, site: this.#siteId }, 'account pool: saving account health failed'),
      )
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Resolves when every write so far reached the store (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}
