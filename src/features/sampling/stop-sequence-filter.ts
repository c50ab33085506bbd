/**
 * Sites have no stop sequences, so the gateway enforces them on the streamed text: text is
 * forwarded at once except a tail that could still grow into a stop sequence; when one appears,
 * the text before it is released and the generation ends there.
 */
export class StopSequenceFilter {
  readonly #stops: string[];
  #held = '';
  #hit: string | undefined;

  constructor(stops: string[]) {
    this.#stops = stops.filter((s) => s.length > 0);
  }

  /** The stop sequence that ended the text, once one did. */
  get hit(): string | undefined {
    return this.#hit;
  }

  /** Returns the text that is safe to forward now. After a hit, returns '' forever. */
  push(delta: string): string {
    if (this.#hit !== undefined) return '';
    if (this.#stops.length === 0) return delta;
    const text = this.#held + delta;
    let earliest = -1;
    for (const stop of this.#stops) {
      const at = text.indexOf(stop);
      if (at !== -1 && (earliest === -1 || at < earliest)) {
        earliest = at;
        this.#hit = stop;
      }
    }
    if (earliest !== -1) {
      this.#held = '';
      return text.slice(0, earliest);
    }
    const keep = this.#longestStopPrefixSuffix(text);
    this.#held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** Releases what was held back when the text ends without a stop sequence. */
  end(): string {
    const rest = this.#hit === undefined ? this.#held : '';
    this.#held = '';
    return rest;
  }

  #longestStopPrefixSuffix(text: string): number {
    let longest = 0;
    for (const stop of this.#stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
