/** An account the pool could send a turn to, as selection sees it. */
export interface Candidate {
  id: string;
  weight: number;
  inFlight: number;
  /** Free slots; Infinity = unbounded. */
  free: number;
}

export type Strategy = 'round-robin' | 'least-busy' | 'weighted';

/**
 * Orders the candidates (all healthy for the model) by preference: the first with a free slot is
 * tried first, the rest are the failover order. Pure: `turn` is the pool's request counter and
 * `random` the source for `weighted`.
 */
export function orderCandidates(
  candidates: readonly Candidate[],
  strategy: Strategy,
  turn: number,
  random: () => number = Math.random,
): Candidate[] {
  const withSlot = candidates.filter((candidate) => candidate.free > 0);
  const full = candidates.filter((candidate) => candidate.free <= 0);
  return [...orderBy(withSlot, strategy, turn, random), ...full];
}

function orderBy(list: Candidate[], strategy: Strategy, turn: number, random: () => number): Candidate[] {
  if (list.length <= 1) return [...list];
  switch (strategy) {
    case 'round-robin':
      return rotate(list, turn);
    case 'least-busy':
      // Ties rotate like round-robin (a stable sort of the rotated list): at low load every account
      // takes turns instead of the first one taking them all.
      return rotate(list, turn).sort((a, b) => a.inFlight - b.inFlight);
    case 'weighted': {
      // Weighted sampling without replacement (Efraimidis–Spirakis keys).
      return list
        .map((candidate) => ({ candidate, key: random() ** (1 / candidate.weight) }))
        .sort((a, b) => b.key - a.key)
        .map((entry) => entry.candidate);
    }
  }
}

function rotate(list: Candidate[], turn: number): Candidate[] {
  const start = turn % list.length;
  return [...list.slice(start), ...list.slice(0, start)];
}
