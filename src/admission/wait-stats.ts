/** Queue wait times: count, mean and percentiles over the last `size` waits. */
export class WaitStats {
  readonly #recent: number[] = [];
  #count = 0;
  #total = 0;
  #max = 0;

  constructor(private readonly size: number) {}

  add(ms: number): void {
    this.#count++;
    this.#total += ms;
    this.#max = Math.max(this.#max, ms);
    this.#recent.push(ms);
    if (this.#recent.length > this.size) this.#recent.shift();
  }

  summary(): { count: number; meanMs: number; maxMs: number; p50Ms: number; p99Ms: number } {
    const sorted = [...this.#recent].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      count: this.#count,
      meanMs: this.#count === 0 ? 0 : this.#total / this.#count,
      maxMs: this.#max,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  }
}
