/**
 * Some sites resend the whole message so far on every update (Poe's `messageAdded`, Qwen's
 * `thinking_summary`); the gateway streams deltas. This turns one snapshot into the delta to emit,
 * given everything emitted so far. Emitted text cannot be taken back, so the rules are:
 *
 * - `append`: the snapshot extends what was emitted → emit the new tail.
 * - `repeat`: the same snapshot again → nothing.
 * - `stale`: the snapshot is a prefix of what was emitted (a frame that arrived out of order, or
 *   the site momentarily shrank the text) → nothing; a later, longer frame carries on.
 * - `rewrite`: the snapshot diverges from what was emitted (the site re-rendered earlier text) →
 *   emit only what lies beyond the emitted length, as the reference clients do
 *   (`text[len(previous):]`), so nothing is ever duplicated; the caller may log the divergence.
 */
export type SnapshotKind = 'append' | 'repeat' | 'stale' | 'rewrite';

export interface SnapshotDelta {
  delta: string;
  kind: SnapshotKind;
  /** Everything emitted after this step (the `emitted` for the next call). */
  emitted: string;
}

export function cumulativeToDelta(emitted: string, snapshot: string): SnapshotDelta {
  if (snapshot === emitted) return { delta: '', kind: 'repeat', emitted };
  if (snapshot.startsWith(emitted)) {
    const delta = snapshot.slice(emitted.length);
    return { delta, kind: 'append', emitted: snapshot };
  }
  if (emitted.startsWith(snapshot)) return { delta: '', kind: 'stale', emitted };
  if (snapshot.length <= emitted.length) return { delta: '', kind: 'rewrite', emitted };
  let start = emitted.length;
  // Never start a delta on the second half of a surrogate pair.
  if (isLowSurrogate(snapshot.charCodeAt(start))) start++;
  const delta = snapshot.slice(start);
  return { delta, kind: 'rewrite', emitted: emitted + delta };
}

/** Stateful convenience over `cumulativeToDelta` for one stream of snapshots. */
export class CumulativeText {
  #emitted = '';
  #rewrites = 0;

  /** The delta for this snapshot ('' when there is nothing new). */
  next(snapshot: string): string {
    const step = cumulativeToDelta(this.#emitted, snapshot);
    if (step.kind === 'rewrite') this.#rewrites++;
    this.#emitted = step.emitted;
    return step.delta;
  }

  get emitted(): string {
    return this.#emitted;
  }

  /** How many snapshots diverged from what had been emitted (for a warning, not for control). */
  get rewrites(): number {
    return this.#rewrites;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
