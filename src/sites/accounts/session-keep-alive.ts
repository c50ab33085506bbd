import type { Logger } from '../../core/logger.ts';
import { AccountDisabledError, NeedsLoginError } from '../../site-contract/site-errors.ts';
import type { Site } from '../../site-contract/site.ts';

export type AccountHealth =
  | { state: 'unknown' }
  | { state: 'ok'; checkedAt: Date }
  | { state: 'needs-login'; reason: string; checkedAt: Date }
  /** The site has banned or disabled the account (a person must look at it). */
  | { state: 'disabled'; reason: string; checkedAt: Date };

export interface KeepAlive {
  readonly health: AccountHealth;
  /** Logins the keep-alive ran because the session had ended (the re-logins metric sums them). */
  readonly logins: number;
  /** Runs one check now (ticks never overlap: a running check is joined). */
  checkNow(): Promise<AccountHealth>;
  stop(): void;
}

export interface KeepAliveOptions {
  logger: Logger;
  /** Told whenever the health changes, e.g. to mark the account in the account store. */
  onHealth?: (health: AccountHealth) => void;
  /**
   * Told the verdict of every check that reached one, changed or not (an account pool clears a
   * state a failed turn set, though the probe's own last answer was already `ok`). A check that
   * failed for another reason (network, site down) tells nothing.
   */
  onCheck?: (health: AccountHealth) => void;
  /** Bound on one check (session probe plus a login). */
  timeoutMs?: number;
  /** 0..1: each wait is the interval times a factor in [1 - jitter, 1 + jitter], so accounts drift apart. */
  jitter?: number;
}

/**
 * Probes the site session on a schedule. An ended session is renewed with the configured login;
 * when that is impossible (captcha, challenge, rejected credentials) the account is marked
 * "needs login" so callers get a clear error and a person can log in remotely. Failures that say
 * nothing about the session (network, site down) leave the health as it was.
 */
export function startKeepAlive(site: Site, intervalMs: number, options: KeepAliveOptions): KeepAlive {
  let health: AccountHealth = { state: 'unknown' };
  let running: Promise<AccountHealth> | undefined;
  let stopped = false;
  let logins = 0;

  const set = (next: AccountHealth) => {
    const changed = next.state !== health.state;
    health = next;
    if (changed) {
      options.logger.info({ site: site.id, health: next.state }, 'site account health changed');
      options.onHealth?.(next);
    }
    options.onCheck?.(next);
  };

  const check = async (): Promise<AccountHealth> => {
    const signal = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    try {
      const session = await site.checkSession(signal);
      if (session.state === 'ok') {
        set({ state: 'ok', checkedAt: new Date() });
      } else if (session.state === 'challenge') {
        set({ state: 'needs-login', reason: session.reason, checkedAt: new Date() });
      } else {
        logins++;
        await site.login(signal);
        set({ state: 'ok', checkedAt: new Date() });
      }
    } catch (error) {
      if (error instanceof AccountDisabledError) {
        set({ state: 'disabled', reason: error.reason, checkedAt: new Date() });
      } else if (error instanceof NeedsLoginError) {
        set({ state: 'needs-login', reason: error.message, checkedAt: new Date() });
      } else {
        options.logger.warn(
          { site: site.id, err: error },
          'session check failed; keeping the last known health',
        );
      }
    }
    return health;
  };

  const checkNow = (): Promise<AccountHealth> => {
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };

  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0));
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    const wait = intervalMs * (1 + jitter * (2 * Math.random() - 1));
    timer = setTimeout(() => {
      if (stopped) return;
      void checkNow().finally(schedule);
    }, wait);
    timer.unref();
  };
  schedule();

  return {
    get health() {
      return health;
    },
    get logins() {
      return logins;
    },
    checkNow,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
