import { DemoError } from './errors.ts';

const MINUTE_MS = 60_000;

/** Per-account send rate (rolling minute) and per-account, per-model daily quota (UTC days). */
export class Limits {
  private sends = new Map<string, number[]>();
  private quota = new Map<string, number>();

  constructor(
    private readonly rateLimitPerMinute: number,
    private readonly dailyQuotaPerModel: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one send; throws 429 `rate_limited` when the account is over its rate. */
  takeRate(account: string): void {
    const now = this.now();
    const recent = (this.sends.get(account) ?? []).filter((at) => at > now - MINUTE_MS);
    this.sends.set(account, recent);
    const oldest = recent[0];
    if (recent.length >= this.rateLimitPerMinute && oldest !== undefined) {
      const retryAfter = Math.max(1, Math.ceil((oldest + MINUTE_MS - now) / 1000));
      throw new DemoError(
        429,
        'rate_limited',
        `Too many messages: at most ${this.rateLimitPerMinute} per minute.`,
        { 'retry-after': String(retryAfter) },
      );
    }
    recent.push(now);
  }

  checkQuota(account: string, model: string): void {
    if ((this.quota.get(this.quotaKey(account, model)) ?? 0) < this.dailyQuotaPerModel) return;
    const now = this.now();
    const nextDay = new Date(now);
    nextDay.setUTCHours(24, 0, 0, 0);
    const retryAfter = Math.max(1, Math.ceil((nextDay.getTime() - now) / 1000));
    throw new DemoError(
      429,
      'quota_exceeded',
      `Daily quota of ${this.dailyQuotaPerModel} messages for ${model} used up; it resets at midnight UTC.`,
      { 'retry-after': String(retryAfter) },
    );
  }

  consumeQuota(account: string, model: string): void {
    const key = this.quotaKey(account, model);
    this.quota.set(key, (this.quota.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.sends = new Map();
    this.quota = new Map();
  }

  private quotaKey(account: string, model: string): string {
    return `${new Date(this.now()).toISOString().slice(0, 10)}\u0000${account}\u0000${model}`;
  }
}
