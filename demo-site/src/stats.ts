export interface DemoStats {
  clientAborts: number;
  stops: number;
  generations: number;
  activeGenerations: number;
  /** Most generations running at once since the last reset, overall and per account (username). */
  peakActiveGenerations: number;
  peakActiveByAccount: Record<string, number>;
  logins: number;
  uploads: number;
  /** Keyed `METHOD /route/pattern`, e.g. `POST /api/chat`. */
  requestsByPath: Record<string, number>;
}

export type Counter = 'clientAborts' | 'stops' | 'generations' | 'logins' | 'uploads';

export class StatsCounters {
  private counts: Record<Counter, number> = StatsCounters.zero();
  private requests = new Map<string, number>();
  private peak = 0;
  private peakByAccount = new Map<string, number>();

  private static zero(): Record<Counter, number> {
    return { clientAborts: 0, stops: 0, generations: 0, logins: 0, uploads: 0 };
  }

  increment(counter: Counter): void {
    this.counts[counter]++;
  }

  /** Records concurrency right after a generation started. */
  noteActive(account: string, accountActive: number, totalActive: number): void {
    this.peak = Math.max(this.peak, totalActive);
    this.peakByAccount.set(account, Math.max(this.peakByAccount.get(account) ?? 0, accountActive));
  }

  countRequest(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  snapshot(activeGenerations: number): DemoStats {
    return {
      ...this.counts,
      activeGenerations,
      peakActiveGenerations: this.peak,
      peakActiveByAccount: Object.fromEntries(this.peakByAccount),
      requestsByPath: Object.fromEntries(this.requests),
    };
  }

  reset(): void {
    this.counts = StatsCounters.zero();
    this.requests = new Map();
    this.peak = 0;
    this.peakByAccount = new Map();
  }
}
