/**
 * Turning the text a page shows into deltas. Pages re-render replies as markdown while they stream,
 * so text already on screen can change (`**bold` shows its asterisks until the closing `**` arrives,
 * then becomes bold without them). A delta cannot be taken back, so text after an unbalanced
 * markdown marker is held back until the marker closes or the reply ends.
 */
const MARKERS = ['**', '__', '`', '~~'] as const;

/** The part of `text` that markdown rendering will not rewrite any more (as far as can be told). */
export function settledText(text: string): string {
  let cut = text.length;
  for (const marker of MARKERS) {
    const count = text.split(marker).length - 1;
    if (count % 2 === 1) cut = Math.min(cut, text.lastIndexOf(marker));
  }
  return text.slice(0, cut);
}

/**
 * What to emit when the visible text becomes `text`, given what was emitted already. A rewrite of
 * text already emitted cannot be undone: only growth past it is emitted then (`rewritten` says so).
 */
export function nextDelta(
  emitted: string,
  text: string,
  final: boolean,
): { delta: string; rewritten: boolean } {
  const ready = final ? text : settledText(text);
  if (ready.startsWith(emitted)) return { delta: ready.slice(emitted.length), rewritten: false };
  return { delta: ready.length > emitted.length ? ready.slice(emitted.length) : '', rewritten: true };
}
