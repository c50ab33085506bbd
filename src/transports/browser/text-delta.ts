/**
 * What to emit when text read from a rendered page changes from `previous` to `current`. Rendering
 * can rewrite text already shown (markdown turning `**a` into bold once the closing marks arrive);
 * what was emitted cannot be taken back, so after a rewrite only the growth beyond the previous length
 * is emitted and the change is flagged, keeping the stream going at the cost of exactness there.
 */
export function textDelta(previous: string, current: string): { delta: string; diverged: boolean } {
  const delta = current.length > previous.length ? current.slice(previous.length) : '';
  return { delta, diverged: !current.startsWith(previous) };
}
