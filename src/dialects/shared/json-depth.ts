import { GatewayError } from '../../core/errors.ts';
import { formatParamPath } from './validate-body.ts';

/** Deeper than any real request (tool schemas included); the gateway walks these values recursively. */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses a body nested deeper than `maxDepth` with a 400 naming the field where it happened,
 * before anything recursive (`JSON.stringify`, schema compilers) can overflow the stack. Iterative.
 */
export function assertJsonDepth(body: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= maxDepth) {
      const field = formatParamPath(path.slice(0, 3));
      throw new GatewayError(
        'invalid_request',
        `Invalid '${field}': nested deeper than ${maxDepth} levels.`,
        { param: field },
      );
    }
    const entries: Array<[PropertyKey, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value);
    for (const [key, item] of entries) stack.push({ value: item, path: [...path, key] });
  }
}
