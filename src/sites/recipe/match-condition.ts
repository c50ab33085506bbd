import { evaluateJsonPath } from './json-path.ts';
import type { RecipeCondition } from './recipe-schema.ts';
import type { StreamRecord } from './stream-records.ts';
import { renderValue, Template, type TemplateVars } from './template.ts';

/** Whether a stream record satisfies every condition of a `when` / `only` list (none: always). */
export function matchAll(
  conditions: readonly RecipeCondition[] | undefined,
  record: StreamRecord,
  vars: TemplateVars,
): boolean {
  return (conditions ?? []).every((condition) => matchCondition(condition, record, vars));
}

/** Whether a stream record satisfies one recipe condition. */
export function matchCondition(
  condition: RecipeCondition,
  record: StreamRecord,
  vars: TemplateVars,
): boolean {
  if (condition.event !== undefined && (record.event ?? 'message') !== condition.event) return false;
  if (condition.path === undefined) return true;
  const values = evaluateJsonPath(condition.path, record.data);
  if (condition.equals === undefined) return values.some((value) => value !== undefined && value !== null);
  const wanted = Array.isArray(condition.equals) ? condition.equals : [condition.equals];
  const expected = wanted.map((item) => (item instanceof Template ? renderValue(item, vars) : item));
  return values.some((value) => expected.some((candidate) => candidate === value));
}
