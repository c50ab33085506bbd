/** An account's own pace: how often it may start a turn, whatever its free slots. */
export interface PaceLimits {
  /** Turns started in any 60 s. */
  rpm?: number | undefined;
  /** Least time between two turns' starts. */
  minSpacingMs?: number | undefined;
}

const MINUTE_MS = 60_000;

/**
 * When the account may start its next turn (now or earlier = at once). Pure; `starts` are the
 * account's recent start times, oldest first.
 */
export function paceReadyAt(starts: readonly number[], limits: PaceLimits, now: number): number {
  let ready = 0;
  const last = starts.at(-1);
  if (limits.minSpacingMs !== undefined && last !== undefined) ready = last + limits.minSpacingMs;
  if (limits.rpm !== undefined) {
    const inWindow = starts.filter((at) => at > now - MINUTE_MS);
    // The window frees a place when its oldest start that still counts leaves it.
    if (inWindow.length >= limits.rpm) {
      const freeing = inWindow[inWindow.length - limits.rpm] ?? now;
      ready = Math.max(ready, freeing + MINUTE_MS);
    }
  }
  return ready;
}

/** Remembers a start; keeps only what a pace can still read (the last minute, and the last start). */
export function recordStart(starts: number[], now: number): void {
  starts.push(now);
  while (starts.length > 1 && (starts[0] ?? now) <= now - MINUTE_MS) starts.shift();
}
