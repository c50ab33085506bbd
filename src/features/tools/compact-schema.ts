/**
 * Shrinks a JSON Schema for the emulation prompt, where every character counts against the site's
 * input cap. Walks the schema structurally so that a *property* named `title` or `description`
 * survives while the *keyword* of that name is dropped.
 *
 * Levels: `full` drops only what never helps a model ($schema, $id, $comment, title);
 * `brief` also clips descriptions to 160 chars and drops examples and `additionalProperties: false`;
 * `minimal` drops nested descriptions altogether.
 */
export type SchemaDetail = 'full' | 'brief' | 'minimal';

const ALWAYS_DROPPED = new Set(['$schema', '$id', '$comment', 'title']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_VALUES = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
]);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const BRIEF_DESCRIPTION_CHARS = 160;

export function compactSchema(schema: unknown, detail: SchemaDetail = 'full'): unknown {
  return compactNode(schema, detail);
}

/** Clips text to `max` characters at a word boundary where one is near, marking the cut. */
export function clipText(text: string, max: number): string {
  const flat = text.trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

function compactNode(node: unknown, detail: SchemaDetail): unknown {
  if (Array.isArray(node)) return node.map((item) => compactNode(item, detail));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (ALWAYS_DROPPED.has(key)) continue;
    if (detail !== 'full' && (key === 'examples' || (key === 'additionalProperties' && value === false)))
      continue;
    if (key === 'description' && typeof value === 'string') {
      if (detail === 'minimal') continue;
      out[key] = detail === 'brief' ? clipText(value, BRIEF_DESCRIPTION_CHARS) : value;
    } else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const map: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(value)) map[name] = compactNode(sub, detail);
      out[key] = map;
    } else if (SCHEMA_VALUES.has(key) || SCHEMA_LISTS.has(key)) {
      out[key] = compactNode(value, detail);
    } else {
      // Keyword values that are plain data (enum, const, default, required) are kept verbatim.
      out[key] = value;
    }
  }
  return out;
}
