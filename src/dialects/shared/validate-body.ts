import type { z } from 'zod';
import { GatewayError } from '../../core/errors.ts';

type Issue = z.core.$ZodIssue;

/** `['messages', 2, 'content']` → `messages[2].content`, the way callers name their fields. */
export function formatParamPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * A union failure reports every branch; the branch that got furthest into the value is the one
 * the caller meant, so its first issue gives the most useful message and param.
 */
function mostSpecificIssue(issue: Issue): { issue: Issue; path: PropertyKey[] } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path: [...issue.path] };
  let best: { issue: Issue; path: PropertyKey[] } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const candidate = mostSpecificIssue(first);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  if (!best || best.path.length === 0) return { issue, path: [...issue.path] };
  return { issue: best.issue, path: [...issue.path, ...best.path] };
}

/** Validates wire JSON against a zod schema; the first problem becomes a 400 naming the field. */
export function validateBody<T extends z.ZodType>(
  schema: T,
  body: unknown,
  basePath: readonly PropertyKey[] = [],
): z.output<T> {
  if (basePath.length === 0 && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (!first) throw new GatewayError('invalid_request', 'Invalid request body.');
  const { issue, path } = mostSpecificIssue(first);
  const param = formatParamPath([...basePath, ...path]);
  const message = issue.code === 'invalid_union' ? 'Invalid value' : issue.message;
  throw new GatewayError(
    'invalid_request',
    param === '' ? `Invalid request body: ${message}.` : `Invalid '${param}': ${message}.`,
    param === '' ? {} : { param },
  );
}
