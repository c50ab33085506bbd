import { GatewayError, markRetried } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { noteServedBy } from '../../core/served-by.ts';
import { ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import {
  SITE_INTERFACE_VERSION,
  type SessionState,
  type Site,
  type SiteAttachment,
  type SiteCapabilities,
  type SiteEvent,
  type SiteModel,
  type SiteTurn,
  type UploadInput,
} from '../../site-contract/site.ts';
import { classifySiteError, WHOLE_ACCOUNT } from './account-health.ts';
import { paceReadyAt, recordStart } from './account-pace.ts';
import type { HealthBook } from './health-book.ts';
import { turnForMember } from './member-turn.ts';
import { PendingFiles } from './pending-files.ts';
import type { PoolSettings } from './pool-config.ts';
import {
  allBusyError,
  attemptsRateLimitedError,
  coolingDownError,
  noAccountError,
  pacedError,
  ThreadAccountUnavailableError,
} from './pool-errors.ts';
import { memberOffers, type PoolMember, parsePoolThreadId, poolThreadId } from './pool-member.ts';
import { orderCandidates } from './select-account.ts';

export interface PooledSiteOptions {
  id: string;
  capabilities: SiteCapabilities;
  settings: PoolSettings;
  health: HealthBook;
  logger: Logger;
  /** Byte budget of files held until the serving account uploads them. */
  pendingFileBytes?: number;
}

/**
 * One site served by several accounts. Each turn goes to an account that offers the model, is
 * healthy for it and has a free slot (round-robin, least-busy or weighted); a continued thread
 * goes to the account holding it. A failure before the first event cools the account (per model,
 * or as a whole for a login or a ban) and the turn moves to the next account; after the first
 * event nothing is retried.
 */
export class PooledSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities: SiteCapabilities;
  readonly health: HealthBook;
  readonly #members = new Map<string, PoolMember>();
  readonly #settings: PoolSettings;
  readonly #logger: Logger;
  readonly #files: PendingFiles;
  readonly #waiters = new Set<() => void>();
  #lastModels: SiteModel[] = [];
  #turns = 0;

  constructor(options: PooledSiteOptions) {
    this.id = options.id;
    this.capabilities = options.capabilities;
    this.health = options.health;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#files = new PendingFiles(options.pendingFileBytes ?? 256 * 1024 * 1024);
  }

  get settings(): PoolSettings {
    return this.#settings;
  }

  members(): PoolMember[] {
    return [...this.#members.values()];
  }

  member(id: string): PoolMember | undefined {
    return this.#members.get(id);
  }

  add(member: PoolMember): void {
    this.#members.set(member.id, member);
    this.wake();
  }

  /** Takes the account out of rotation; what runs on it finishes, then its adapter closes. */
  async remove(id: string): Promise<void> {
    const member = this.#members.get(id);
    if (!member) return;
    member.removed = true;
    this.#members.delete(id);
    member.keepAlive?.stop();
    this.health.forget(id);
    while (member.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await member.close().catch(() => undefined);
  }

  /** Something changed that may free an account (a slot, a cooldown cleared, an account added). */
  wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  async listModels(signal?: AbortSignal): Promise<SiteModel[]> {
    const live = this.members().filter((member) => member.config.enabled);
    // Never listed and nobody to ask: say why, rather than list nothing (a 404 for every model).
    if (live.length === 0 && this.#lastModels.length === 0) throw this.#noAccount('any model', undefined);
    const byId = new Map<string, SiteModel>();
    let firstError: unknown;
    await Promise.all(
      live.map(async (member) => {
        try {
          const models = await member.site.listModels(signal);
          member.models = new Set(models.map((model) => model.id));
          for (const model of models) {
            if (member.config.models && !member.config.models.includes(model.id)) continue;
            if (!byId.has(model.id)) byId.set(model.id, model);
          }
        } catch (error) {
          firstError ??= error;
        }
      }),
    );
    if (byId.size === 0 && firstError !== undefined) throw firstError;
    // Without any account the models stay listed: a request then gets a clear 503, not a 404.
    if (live.length > 0) this.#lastModels = [...byId.values()];
    return this.#lastModels;
  }

  async upload(file: UploadInput, _signal: AbortSignal): Promise<SiteAttachment> {
    return { fileId: this.#files.put(file), mediaType: file.mediaType, filename: file.filename };
  }

  async *send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const sticky = turn.threadId === undefined ? undefined : parsePoolThreadId(turn.threadId);
    if (turn.threadId !== undefined && !sticky) throw new ThreadNotFoundError(turn.threadId);
    const started = Date.now();
    const tried = new Set<string>();
    let lastError: unknown;
    for (let attempt = 0; attempt < this.#settings.maxAttempts; attempt++) {
      if (attempt > 0 && Date.now() - started > this.#settings.failoverTimeoutMs) break;
      const member = await this.#acquire(turn.model, sticky, tried, signal, lastError).catch(
        (error: unknown) => {
          throw markRetried(error);
        },
      );
      if (!member) break;
      tried.add(member.id);
      let streaming = false;
      let iterator: AsyncIterator<SiteEvent> | undefined;
      let finished = false;
      try {
        const memberTurn = await turnForMember(member, turn, sticky?.threadId, this.#files, signal);
        iterator = member.site.send(memberTurn, signal)[Symbol.asyncIterator]();
        const first = await iterator.next();
        streaming = true;
        noteServedBy({ accountId: member.id });
        this.health.clear(member.id, turn.model);
        this.#logger.info(
          { site: this.id, account: member.id, model: turn.model, attempt },
          'account pool: turn accepted',
        );
        if (first.done) {
          finished = true;
          return;
        }
        yield this.#relabel(member, first.value);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          yield this.#relabel(member, next.value);
        }
        finished = true;
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        const verdict = classifySiteError(error);
        const reason = error instanceof Error ? error.message : String(error);
        const model =
          verdict.type === 'needs-login' || verdict.type === 'disabled' ? WHOLE_ACCOUNT : turn.model;
        const state = this.health.recordError(member.id, model, verdict, reason);
        if (verdict.type !== 'request') {
          this.#logger.warn(
            {
              site: this.id,
              account: member.id,
              model: turn.model,
              verdict: verdict.type,
              state: state?.status,
            },
            'account pool: account failed the turn',
          );
        }
        if (verdict.type === 'needs-login') void member.keepAlive?.checkNow();
        // After the first event the caller has output: no silent retry, the stream ends with the error.
        if (streaming || verdict.type === 'request') throw error;
        if (sticky) throw new ThreadAccountUnavailableError(turn.threadId ?? '', member.id, reason);
        finished = true;
        lastError = error;
      } finally {
        // The caller stopped reading: the account's own stream is closed too (its generation stops).
        if (!finished) await iterator?.return?.().catch(() => undefined);
        member.inFlight--;
        this.wake();
      }
    }
    // Several accounts failed the turn: that was the retry, the pipeline does not add its own.
    const failedOver = <T>(error: T): T => (tried.size > 1 ? markRetried(error) : error);
    if (classifySiteError(lastError).type === 'rate-limited') {
      const now = Date.now();
      const earliest = Math.min(
        ...this.members()
          .filter((member) => memberOffers(member, turn.model))
          .map((member) => this.health.availableAt(member.id, turn.model, WHOLE_ACCOUNT)),
      );
      if (Number.isFinite(earliest) && earliest > now) {
        throw failedOver(coolingDownError(this.id, turn.model, earliest - now));
      }
      throw failedOver(attemptsRateLimitedError(this.id, turn.model, tried.size));
    }
    throw failedOver(
      lastError ?? new GatewayError('overloaded', `No account of site '${this.id}' could take the turn.`),
    );
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    const parsed = parsePoolThreadId(threadId);
    const member = parsed && this.#members.get(parsed.accountId);
    if (!parsed || !member) throw new ThreadNotFoundError(threadId);
    await member.site.deleteThread(parsed.threadId, signal);
  }

  /** Ok when any account is logged in; else the first account's state. */
  async checkSession(signal: AbortSignal): Promise<SessionState> {
    const states = await Promise.all(
      this.members()
        .filter((member) => member.config.enabled)
        .map((member) =>
          member.site
            .checkSession(signal)
            .catch((error: unknown): SessionState => ({ state: 'needs-login', reason: String(error) })),
        ),
    );
    return (
      states.find((state) => state.state === 'ok') ??
      states[0] ?? { state: 'needs-login', reason: `site '${this.id}' has no enabled account` }
    );
  }

  /** Renews every account's session that needs it (each account's keep-alive check). */
  async login(_signal: AbortSignal): Promise<void> {
    await Promise.all(this.members().map((member) => member.keepAlive?.checkNow()));
  }

  async close(): Promise<void> {
    for (const member of this.members()) member.keepAlive?.stop();
    await Promise.all(this.members().map((member) => member.close().catch(() => undefined)));
    this.#members.clear();
  }

  #relabel(member: PoolMember, event: SiteEvent): SiteEvent {
    return event.type === 'thread' ? { ...event, threadId: poolThreadId(member.id, event.threadId) } : event;
  }

  /**
   * An account for the turn, its slot taken (`inFlight` counted); undefined when the failover has
   * run out of accounts. Waits for a slot, or for the earliest cooldown to end when that is within
   * `maxWaitMs`; else answers 429 with the earliest reset as `retry-after`.
   */
  async #acquire(
    model: string,
    sticky: { accountId: string; threadId: string } | undefined,
    tried: ReadonlySet<string>,
    signal: AbortSignal,
    lastError: unknown,
  ): Promise<PoolMember | undefined> {
    const waitUntil = Date.now() + this.#settings.maxWaitMs;
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      const offering = this.members().filter(
        (member) => memberOffers(member, model) && !tried.has(member.id),
      );
      if (sticky) {
        const holder = this.#members.get(sticky.accountId);
        const why = this.#unavailable(holder, model, now);
        if (why)
          throw new ThreadAccountUnavailableError(
            poolThreadId(sticky.accountId, sticky.threadId),
            sticky.accountId,
            why,
          );
      }
      const pool = sticky ? offering.filter((member) => member.id === sticky.accountId) : offering;
      const healthy = pool.filter(
        (member) => this.health.availableAt(member.id, model, WHOLE_ACCOUNT) <= now,
      );
      // An account at its pace has no free slot now; the earliest pace end is a time to look again.
      let paceWake = Number.POSITIVE_INFINITY;
      const ordered = orderCandidates(
        healthy.map((member) => {
          const ready = paceReadyAt(member.starts, member.config, now);
          if (ready > now && member.inFlight < member.slots) paceWake = Math.min(paceWake, ready);
          return {
            id: member.id,
            weight: member.config.weight,
            inFlight: member.inFlight,
            free: ready > now ? 0 : member.slots - member.inFlight,
          };
        }),
        this.#settings.strategy,
        this.#turns,
      );
      const chosen = ordered[0];
      if (chosen && chosen.free > 0) {
        this.#turns++;
        const member = this.#members.get(chosen.id) as PoolMember;
        member.inFlight++;
        recordStart(member.starts, now);
        return member;
      }
      let wakeAt = Math.min(waitUntil, paceWake);
      if (healthy.length === 0) {
        if (tried.size > 0 && pool.length === 0) return undefined;
        const earliest = Math.min(
          ...pool.map((member) => this.health.availableAt(member.id, model, WHOLE_ACCOUNT)),
        );
        if (!Number.isFinite(earliest)) throw this.#noAccount(model, lastError);
        if (earliest > waitUntil) throw coolingDownError(this.id, model, earliest - now);
        wakeAt = earliest;
      } else if (now >= waitUntil) {
        throw Number.isFinite(paceWake) ? pacedError(this.id, paceWake - now) : allBusyError(this.id);
      }
      await this.#sleep(Math.max(1, wakeAt - now), signal);
    }
  }

  #unavailable(member: PoolMember | undefined, model: string, now: number): string | undefined {
    if (!member || member.removed) return 'the account was removed';
    if (!member.config.enabled) return 'the account is disabled';
    if (!memberOffers(member, model)) return `the account does not serve ${model}`;
    const whole = this.health.get(member.id, WHOLE_ACCOUNT);
    if (whole && (whole.status === 'disabled' || whole.status === 'needs-login')) return whole.reason;
    const at = this.health.availableAt(member.id, model, WHOLE_ACCOUNT);
    if (at > now && at - now > this.#settings.maxWaitMs)
      return this.health.get(member.id, model)?.reason ?? 'cooling down';
    return undefined;
  }

  #noAccount(model: string, lastError: unknown): GatewayError {
    if (lastError instanceof GatewayError) return lastError;
    const reasons = this.members()
      .filter((member) => !member.removed)
      .map((member) => `${member.id}: ${this.#unavailable(member, model, Date.now()) ?? 'busy'}`);
    return noAccountError(this.id, model, reasons);
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
