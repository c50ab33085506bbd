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

/** zod's wording, made a little friendlier for the cases callers hit most. */
function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `required field is missing (expected ${issue.expected})`;
  }
  if (issue.code !== 'invalid_union') return issue.message;
  // A discriminator mismatch carries its own message listing the accepted values.
  if (issue.errors.length === 0) return issue.message;
  const expected = issue.errors.map((branch) => branch[0]).filter((first) => first?.code === 'invalid_type');
  if (expected.length === issue.errors.length) {
    const received = /received (\w+)/.exec(expected[0]?.message ?? '')?.[1];
    const kinds = [
      ...new Set(expected.map((first) => (first?.code === 'invalid_type' ? first.expected : ''))),
    ];
    return `expected ${kinds.join(' or ')}${received ? `, received ${received}` : ''}`;
  }
  return 'value does not match any accepted shape';
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
  const message = describeIssue(issue);
  throw new GatewayError(
    'invalid_request',
    param === '' ? `Invalid request body: ${message}.` : `Invalid '${param}': ${message}.`,
    param === '' ? {} : { param },
  );
}
