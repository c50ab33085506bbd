/**
 * The tag grammar of emulated tool calls, as incremental matchers over a buffer. Each matcher looks
 * at `text` from `at` and answers `match` (with where the tag ends), `none`, or `partial` when the
 * buffer ends while the text is still a possible tag. With `final` (no more text will come) a
 * partial answer is impossible: the matcher decides with what it has.
 *
 * Accepted openers: `<tool_call>`, `<function_call>`, `<tool_use>` (any case), with optional
 * attributes (`name="x"`, `id='y'`), optionally preceded by a Markdown fence opener
 * (```` ``` ````, ```` ```xml ````, ```` ```json ```` and a line break) that is swallowed with it.
 * Every part is length-bounded, so the text held back as "maybe a tag" is bounded too.
 */
export const CALL_TAG_NAMES: readonly string[] = ['tool_call', 'function_call', 'tool_use'];

export type OpenTagMatch =
  | { kind: 'match'; end: number; fenced: boolean; attributes: Record<string, string> }
  | { kind: 'partial' }
  | { kind: 'none' };

export type TagMatch = { kind: 'match'; end: number } | { kind: 'partial' } | { kind: 'none' };

const NONE = { kind: 'none' } as const;
const PARTIAL = { kind: 'partial' } as const;

const MAX_TAG_NAME = Math.max(...CALL_TAG_NAMES.map((name) => name.length));
const MAX_FENCE_LANG = 20;
const MAX_SPACES = 16;
const MAX_ATTRIBUTES = 4;
const MAX_ATTRIBUTE_NAME = 32;
const MAX_ATTRIBUTE_VALUE = 200;

/** Upper bound of an opener's length: the most text the parser ever holds back. */
export const MAX_OPEN_TAG_LENGTH =
  3 +
  MAX_FENCE_LANG +
  2 * MAX_SPACES +
  2 +
  1 +
  MAX_TAG_NAME +
  MAX_ATTRIBUTES * (MAX_SPACES + MAX_ATTRIBUTE_NAME + 2 * MAX_SPACES + 1 + MAX_ATTRIBUTE_VALUE + 2) +
  MAX_SPACES +
  1;

function isTagNameChar(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isFenceLangChar(ch: string): boolean {
  return (
    (ch >= 'a' && ch <= 'z') ||
    (ch >= 'A' && ch <= 'Z') ||
    (ch >= '0' && ch <= '9') ||
    ch === '_' ||
    ch === '+' ||
    ch === '-' ||
    ch === '.'
  );
}

function isAttributeNameChar(ch: string): boolean {
  return isTagNameChar(ch) || (ch >= '0' && ch <= '9') || ch === '-' || ch === ':';
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

function isPrefixOfTagName(word: string): boolean {
  const lower = word.toLowerCase();
  return CALL_TAG_NAMES.some((name) => name.startsWith(lower));
}

/** Skips up to MAX_SPACES characters of the given kind; returns the new index or -1 when too many. */
function skipSpaces(text: string, i: number, includeNewlines: boolean): number {
  let j = i;
  while (j < text.length) {
    const ch = text[j];
    if (!(ch === ' ' || ch === '\t' || (includeNewlines && (ch === '\n' || ch === '\r')))) break;
    j++;
    if (j - i > MAX_SPACES) return -1;
  }
  return j;
}

/** Reads a tag name starting at `i`; `undefined` means "too long to be one of ours". */
function readTagName(text: string, i: number): { name: string; end: number } | undefined {
  let j = i;
  while (j < text.length && isTagNameChar(text[j] ?? '')) {
    j++;
    if (j - i > MAX_TAG_NAME) return undefined;
  }
  return { name: text.slice(i, j), end: j };
}

export function matchOpenTag(text: string, at: number, final: boolean): OpenTagMatch {
  const partial = final ? NONE : PARTIAL;
  const n = text.length;
  let i = at;
  let fenced = false;
  if (text[i] === '`') {
    for (let k = 0; k < 3; k++, i++) {
      if (i >= n) return partial;
      if (text[i] !== '`') return NONE;
    }
    fenced = true;
    const langStart = i;
    while (i < n && isFenceLangChar(text[i] ?? '')) {
      i++;
      if (i - langStart > MAX_FENCE_LANG) return NONE;
    }
    i = skipSpaces(text, i, false);
    if (i < 0) return NONE;
    if (i < n && text[i] === '\r') i++;
    if (i < n && text[i] === '\n') i++;
    i = skipSpaces(text, i, false);
    if (i < 0) return NONE;
    if (i >= n) return partial;
  }
  if (text[i] !== '<') return NONE;
  i++;
  const tag = readTagName(text, i);
  if (tag === undefined) return NONE;
  i = tag.end;
  if (i >= n) return isPrefixOfTagName(tag.name) ? partial : NONE;
  if (!CALL_TAG_NAMES.includes(tag.name.toLowerCase())) return NONE;

  const attributes: Record<string, string> = {};
  for (let count = 0; ; count++) {
    const afterSpace = skipSpaces(text, i, true);
    if (afterSpace < 0) return NONE;
    const sawSpace = afterSpace > i;
    i = afterSpace;
    if (i >= n) return partial;
    if (text[i] === '>') return { kind: 'match', end: i + 1, fenced, attributes };
    if (!sawSpace || count >= MAX_ATTRIBUTES) return NONE;

    const nameStart = i;
    while (i < n && isAttributeNameChar(text[i] ?? '')) {
      i++;
      if (i - nameStart > MAX_ATTRIBUTE_NAME) return NONE;
    }
    if (i >= n) return partial;
    if (i === nameStart) return NONE;
    const name = text.slice(nameStart, i).toLowerCase();
    i = skipSpaces(text, i, false);
    if (i < 0) return NONE;
    if (i >= n) return partial;
    if (text[i] !== '=') return NONE;
    i = skipSpaces(text, i + 1, false);
    if (i < 0) return NONE;
    if (i >= n) return partial;

    const quote = text[i];
    const quoted = quote === '"' || quote === "'";
    if (quoted) i++;
    const valueStart = i;
    for (;;) {
      if (i >= n) return partial;
      const ch = text[i] ?? '';
      if (quoted ? ch === quote : isSpace(ch) || ch === '>') break;
      if (ch === '<' || ch === '\n' || (!quoted && (ch === '"' || ch === "'"))) return NONE;
      i++;
      if (i - valueStart > MAX_ATTRIBUTE_VALUE) return NONE;
    }
    if (i === valueStart && !quoted) return NONE;
    attributes[name] = text.slice(valueStart, i);
    if (quoted) i++;
  }
}

export function matchCloseTag(text: string, at: number, final: boolean): TagMatch {
  const partial = final ? NONE : PARTIAL;
  const n = text.length;
  if (text[at] !== '<') return NONE;
  let i = at + 1;
  if (i >= n) return partial;
  if (text[i] !== '/') return NONE;
  const tag = readTagName(text, i + 1);
  if (tag === undefined) return NONE;
  i = tag.end;
  if (i >= n) return isPrefixOfTagName(tag.name) ? partial : NONE;
  if (!CALL_TAG_NAMES.includes(tag.name.toLowerCase())) return NONE;
  i = skipSpaces(text, i, true);
  if (i < 0) return NONE;
  if (i >= n) return partial;
  return text[i] === '>' ? { kind: 'match', end: i + 1 } : NONE;
}

/** A fence closer (```` ``` ```` alone on its line) right after a fenced call: swallowed with it. */
export function matchFenceClose(text: string, at: number, final: boolean): TagMatch {
  const n = text.length;
  let i = at;
  for (let k = 0; k < 3; k++, i++) {
    if (i >= n) return final ? NONE : PARTIAL;
    if (text[i] !== '`') return NONE;
  }
  i = skipSpaces(text, i, false);
  if (i < 0) return NONE;
  if (i >= n) return final ? { kind: 'match', end: i } : PARTIAL;
  if (text[i] === '\n' || text[i] === '\r') return { kind: 'match', end: i };
  return NONE;
}

const RESULT_TAG = 'tool_result';

/**
 * `<tool_result` followed by `>` or a space: after a call this means the model has started to
 * invent the result itself instead of stopping.
 */
export function matchResultTag(text: string, at: number, final: boolean): TagMatch {
  if (text[at] !== '<') return NONE;
  const tag = readTagName(text, at + 1);
  if (tag === undefined) return NONE;
  if (tag.end >= text.length) return !final && RESULT_TAG.startsWith(tag.name.toLowerCase()) ? PARTIAL : NONE;
  if (tag.name.toLowerCase() !== RESULT_TAG) return NONE;
  const next = text[tag.end];
  return next === '>' || isSpace(next) ? { kind: 'match', end: tag.end + 1 } : NONE;
}
