import { z } from 'zod';
import { DemoError } from './errors.ts';

const Models = z.array(z.string().min(1)).min(1).max(50);

/**
 * The body of `POST /__control/accounts/:username/faults`: switches for one site account, so an
 * account pool can be tested against the demo (one account limited or banned, the others fine).
 */
export const AccountFaultsSchema = z.strictObject({
  /** Sends on these models (all when absent) answer 429 `rate_limited`. */
  rateLimited: z
    .strictObject({
      models: Models.optional(),
      retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
    })
    .optional(),
  /** After `limit` accepted sends on a model (each model on its own), 429 `quota_exceeded` until the window resets. */
  dailyCap: z
    .strictObject({
      models: Models.optional(),
      limit: z.number().int().min(0).max(1_000_000),
      resetSeconds: z
        .number()
        .positive()
        .max(31 * 86_400)
        .optional(),
    })
    .optional(),
  /** A string is the reason shown to the account. */
  banned: z.union([z.boolean(), z.string().min(1).max(500)]).optional(),
  captcha: z.boolean().optional(),
  forceLogout: z.boolean().optional(),
});

export type AccountFaults = z.infer<typeof AccountFaultsSchema>;
/** Every switch but `forceLogout`, which acts once. */
export type StandingAccountFaults = Omit<AccountFaults, 'forceLogout'>;

export const DEFAULT_RATE_LIMIT_RETRY_SECONDS = 30;

interface CapWindow {
  used: number;
  resetsAt: number;
}

interface AccountEntry {
  faults: StandingAccountFaults;
  /** Per model: the daily cap's current window. */
  windows: Map<string, CapWindow>;
}

const appliesTo = (models: readonly string[] | undefined, model: string) =>
  models === undefined || models.includes(model);

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

function nextUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime();
}

/** The standing per-account switches and the daily-cap counters; kept per site instance. */
export class AccountFaultState {
  #accounts = new Map<string, AccountEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Replaces the account's standing switches (`{}` clears them); the cap counts start over. */
  replace(username: string, faults: AccountFaults): void {
    const { forceLogout: _once, ...standing } = faults;
    if (Object.keys(standing).length === 0) this.#accounts.delete(username);
    else this.#accounts.set(username, { faults: standing, windows: new Map() });
  }

  snapshot(username: string): StandingAccountFaults {
    return structuredClone(this.#accounts.get(username)?.faults ?? {});
  }

  reset(): void {
    this.#accounts = new Map();
  }

  captcha(username: string): boolean {
    return this.#accounts.get(username)?.faults.captcha === true;
  }

  /** The 403 `account_banned` a banned account gets, or undefined. */
  bannedError(username: string): DemoError | undefined {
    const banned = this.#accounts.get(username)?.faults.banned;
    if (banned === undefined || banned === false) return undefined;
    const message =
      typeof banned === 'string'
        ? `This account has been suspended: ${banned}`
        : 'This account has been suspended.';
    return new DemoError(403, 'account_banned', message);
  }

  /** Throws 429 `rate_limited` when the account is rate limited on the model. */
  checkRate(username: string, model: string): void {
    const limited = this.#accounts.get(username)?.faults.rateLimited;
    if (!limited || !appliesTo(limited.models, model)) return;
    const retryAfter = limited.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_RETRY_SECONDS;
    throw new DemoError(429, 'rate_limited', `Too many messages on ${model} from this account.`, {
      'retry-after': String(retryAfter),
    });
  }

  /**
   * Counts one accepted send against the account's cap on the model, or throws 429
   * `quota_exceeded` (Retry-After = seconds until the window resets) when it is used up. A window
   * opens with the first send on the model and lasts `resetSeconds` (default: to midnight UTC).
   */
  takeCap(username: string, model: string): void {
    const entry = this.#accounts.get(username);
    const cap = entry?.faults.dailyCap;
    if (!entry || !cap || !appliesTo(cap.models, model)) return;
    const now = this.now();
    let window = entry.windows.get(model);
    if (!window || window.resetsAt <= now) {
      const resetsAt = cap.resetSeconds === undefined ? nextUtcMidnight(now) : now + cap.resetSeconds * 1000;
      window = { used: 0, resetsAt };
      entry.windows.set(model, window);
    }
    if (window.used >= cap.limit) {
      throw new DemoError(
        429,
        'quota_exceeded',
        `This account's quota of ${cap.limit} messages for ${model} is used up.`,
        { 'retry-after': String(secondsUntil(window.resetsAt, now)) },
      );
    }
    window.used++;
  }
}
