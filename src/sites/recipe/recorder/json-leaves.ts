/** One scalar inside a JSON value and where it is. */
export interface Leaf {
  path: (string | number)[];
  value: string | number | boolean | null;
}

/** Every scalar of a JSON value with its path, in document order. */
export function leavesOf(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => leavesOf(item, [...path, index]));
  if (typeof value === 'object' && value !== undefined)
    return Object.entries(value).flatMap(([key, item]) => leavesOf(item, [...path, key]));
  return [];
}

/** `$.a.b[0]` for a path (names that are not identifiers are quoted). */
export function toJsonPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += `.${segment}`;
    else out += `['${segment.replace(/'/g, '')}']`;
  }
  return out;
}

export function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/** Parses JSON, or undefined. */
export function tryJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An id-looking string: a single token, not a sentence or a common word. */
export function looksLikeId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.:-]{6,}$/.test(value) && /[\d_-]/.test(value);
}
