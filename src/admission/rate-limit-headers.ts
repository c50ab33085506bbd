/**
 * Rate-limit response headers in each dialect's convention (pure; table-tested).
 * OpenAI: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, resets as durations (`6m0s`, `20ms`).
 * Anthropic: `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`, resets as RFC 3339 times.
 * Both: `retry-after` (whole seconds) when the caller must wait.
 */
export interface LimitState {
  limit: number;
  remaining: number;
  /** Milliseconds until the window has fully refilled. */
  resetMs: number;
}

export interface RateLimitView {
  requests?: LimitState;
  tokens?: LimitState;
  retryAfterSeconds?: number;
}

export type HeaderDialect = 'openai' | 'anthropic';

/** OpenAI's reset notation: `1h2m3s`, `6m0s`, `1s`, `250ms`. */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const totalSeconds = Math.ceil(whole / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

export function renderRateLimitHeaders(
  dialect: HeaderDialect,
  view: RateLimitView,
  nowMs: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const state = view[kind];
    if (!state) continue;
    const remaining = String(Math.max(0, Math.floor(state.remaining)));
    if (dialect === 'openai') {
      headers[`x-ratelimit-limit-${kind}`] = String(state.limit);
      headers[`x-ratelimit-remaining-${kind}`] = remaining;
      headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(state.resetMs);
    } else {
      headers[`anthropic-ratelimit-${kind}-limit`] = String(state.limit);
      headers[`anthropic-ratelimit-${kind}-remaining`] = remaining;
      // Whole seconds, as the official API sends them.
      const reset = new Date(Math.ceil((nowMs + Math.max(0, state.resetMs)) / 1000) * 1000);
      headers[`anthropic-ratelimit-${kind}-reset`] = reset.toISOString().replace('.000Z', 'Z');
    }
  }
  if (view.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(view.retryAfterSeconds)));
  }
  return headers;
}

/** The tightest of several states (global, user, key): the one with the fewest remaining. */
export function tightest(states: (LimitState | undefined)[]): LimitState | undefined {
  let best: LimitState | undefined;
  for (const state of states) {
    if (!state) continue;
    if (!best || state.remaining < best.remaining) best = state;
  }
  return best;
}
