import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';

export type PathSegment = string | number;

/**
 * The line (1-based) a path points at in a parsed YAML document: the key of the deepest node that
 * exists along the path (a missing key points at its parent's key). `unknownKey` points at that key
 * inside the map at `path`.
 */
export function lineOf(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  unknownKey?: string,
): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    const next = child(node, segment);
    if (!next) break;
    node = next.value;
    offset = next.keyOffset ?? rangeStart(next.value) ?? offset;
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === unknownKey);
    offset = rangeStart(pair?.key) ?? offset;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function child(node: unknown, segment: PathSegment): { value: unknown; keyOffset?: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find(
      (item): item is Pair<unknown, unknown> =>
        isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
    );
    return pair ? { value: pair.value, keyOffset: rangeStart(pair.key) } : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

/** `api.send.stream.text[0]`, `headers['x-csrf-token']`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `['${segment}']`;
  }
  return out || '(top level)';
}
