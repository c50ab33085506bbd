/**
 * A small, documented subset of JSONPath for recipe selectors (no package, no `eval`):
 *
 *   $                      the value itself
 *   $.a.b                  member access (names: letters, digits, `_`, `$`, `-`; not starting with a digit)
 *   $['a b'] / $["a"]      member access by any name
 *   $.list[0] / $.list[-1] index (negative counts from the end)
 *   $.list[*] / $.obj.*    every element / every member value
 *
 * Not supported (rejected with the column): recursive descent `..`, filters `[?()]`, slices `[1:3]`,
 * unions `[0,1]`, and anything after a space. A path yields every match, in order; selectors that
 * want one value take the first.
 */
export type PathStep =
  | { kind: 'member'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' };

export interface JsonPath {
  /** The source text, for messages. */
  readonly source: string;
  readonly steps: readonly PathStep[];
}

export class JsonPathError extends Error {
  /** 1-based column in the path where the problem is. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = 'JsonPathError';
    this.column = column;
  }
}

const NAME_START = /[A-Za-z_$]/;
const NAME_CHAR = /[A-Za-z0-9_$-]/;

export function compileJsonPath(source: string): JsonPath {
  if (!source.startsWith('$')) throw new JsonPathError(`a path starts with '$'`, 1);
  const steps: PathStep[] = [];
  let at = 1;
  const fail = (message: string): never => {
    throw new JsonPathError(message, at + 1);
  };
  while (at < source.length) {
    const ch = source[at];
    if (ch === '.') {
      if (source[at + 1] === '.') fail(`recursive descent '..' is not supported`);
      at++;
      if (source[at] === '*') {
        steps.push({ kind: 'wildcard' });
        at++;
        continue;
      }
      const start = at;
      if (!NAME_START.test(source[at] ?? '')) fail(`expected a member name after '.'`);
      while (at < source.length && NAME_CHAR.test(source[at] ?? '')) at++;
      steps.push({ kind: 'member', name: source.slice(start, at) });
      continue;
    }
    if (ch === '[') {
      at++;
      const inner = source[at];
      if (inner === '*') {
        at++;
        if (source[at] !== ']') fail(`expected ']' after '*'`);
        at++;
        steps.push({ kind: 'wildcard' });
        continue;
      }
      if (inner === "'" || inner === '"') {
        const close = source.indexOf(inner, at + 1);
        if (close === -1) fail(`unterminated quoted name`);
        const name = source.slice(at + 1, close);
        at = close + 1;
        if (source[at] !== ']') fail(`expected ']' after the quoted name`);
        at++;
        steps.push({ kind: 'member', name });
        continue;
      }
      const match = /^-?\d+/.exec(source.slice(at));
      if (!match) {
        if (inner === '?') fail(`filters '[?()]' are not supported`);
        fail(`expected an index, '*' or a quoted name inside '[]'`);
      }
      const digits = match?.[0] ?? '';
      at += digits.length;
      if (source[at] === ':') fail(`slices are not supported`);
      if (source[at] === ',') fail(`unions are not supported`);
      if (source[at] !== ']') fail(`expected ']' after the index`);
      at++;
      steps.push({ kind: 'index', index: Number(digits) });
      continue;
    }
    fail(`unexpected '${ch}'; expected '.' or '['`);
  }
  return { source, steps };
}

/** Every value the path selects in `value`, in document order. */
export function evaluateJsonPath(path: JsonPath, value: unknown): unknown[] {
  let current: unknown[] = [value];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const item of current) {
      if (step.kind === 'member') {
        if (isRecord(item) && Object.hasOwn(item, step.name)) next.push(item[step.name]);
      } else if (step.kind === 'index') {
        if (Array.isArray(item)) {
          const index = step.index < 0 ? item.length + step.index : step.index;
          if (index >= 0 && index < item.length) next.push(item[index]);
        }
      } else if (Array.isArray(item)) {
        next.push(...item);
      } else if (isRecord(item)) {
        next.push(...Object.values(item));
      }
    }
    current = next;
  }
  return current;
}

/** The first value selected, or undefined. */
export function firstMatch(path: JsonPath, value: unknown): unknown {
  return evaluateJsonPath(path, value)[0];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
