import { jsonrepair } from 'jsonrepair';

/**
 * Lenient JSON for model output: models write trailing commas, single quotes, raw newlines in strings,
 * Python constants and forget closers. Strict parse first (the common, cheap case), then `jsonrepair`,
 * then the first complete top-level value (for a stray extra `}` or prose after the JSON).
 */
export type LenientJsonResult =
  | { ok: true; value: unknown; repaired: boolean }
  | { ok: false; error: string };

export function parseLenientJson(text: string): LenientJsonResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'empty JSON text' };
  try {
    return { ok: true, value: JSON.parse(trimmed), repaired: false };
  } catch {
    // fall through to repair
  }
  let firstError: string;
  try {
    return { ok: true, value: JSON.parse(jsonrepair(trimmed)), repaired: true };
  } catch (error) {
    firstError = error instanceof Error ? error.message : String(error);
  }
  const end = firstJsonValueEnd(trimmed);
  if (end !== undefined && end < trimmed.length) {
    try {
      return { ok: true, value: JSON.parse(jsonrepair(trimmed.slice(0, end))), repaired: true };
    } catch {
      // report the first error: it describes the text as written
    }
  }
  return { ok: false, error: firstError };
}

/**
 * Index just past the first balanced object or array at the start of `text` (strings, both quote
 * styles, and escapes respected), or undefined when it does not start with one or never closes.
 */
export function firstJsonValueEnd(text: string): number | undefined {
  const first = text[0];
  if (first !== '{' && first !== '[') return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

const FENCE_OPEN = /^\s*```[A-Za-z0-9_+.-]*[ \t]*\r?\n?/;
const FENCE_CLOSE = /\r?\n?[ \t]*```\s*$/;

/**
 * Removes a Markdown code fence around `text`. Each side is stripped on its own: replies get cut
 * before the closing fence, and an unclosed call body can end with the fence that followed it.
 */
export function stripCodeFence(text: string): string {
  const open = FENCE_OPEN.exec(text);
  const inner = open === null ? text : text.slice(open[0].length);
  const close = FENCE_CLOSE.exec(inner);
  return close === null ? inner : inner.slice(0, close.index);
}
