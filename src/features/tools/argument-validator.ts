import { Ajv, type ValidateFunction } from 'ajv';

/**
 * JSON Schema validation of tool arguments and structured output. Compiling is the expensive part
 * (Ajv generates code), and agents send the same 20+ tools on every request, so compiled validators
 * are cached by schema text, lazily: a schema is compiled the first time a call to its tool shows up.
 */
export type SchemaCheck = { ok: true } | { ok: false; error: string };
export type SchemaValidator = (value: unknown) => SchemaCheck;

const CACHE_LIMIT = 256;
interface CacheEntry {
  validator: SchemaValidator;
  /** The object handed to Ajv, which keeps its own reference-keyed cache: removed on eviction. */
  compiled: Record<string, unknown> | undefined;
}
const cache = new Map<string, CacheEntry>();

// Formats are not validated (ajv-formats is not a dependency, and a model's "date" that is almost
// ISO is better left to the tool); strict mode off because client schemas carry vendor keywords.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false, logger: false });

const accept: SchemaValidator = () => ({ ok: true });

/** Per schema object, so repeated calls of one tool in one request skip even the stringify. */
const bySchemaObject = new WeakMap<object, SchemaValidator>();

export function schemaValidator(schema: Record<string, unknown> | undefined): SchemaValidator {
  if (schema === undefined) return accept;
  const known = bySchemaObject.get(schema);
  if (known !== undefined) return known;
  const validator = cachedByText(schema);
  bySchemaObject.set(schema, validator);
  return validator;
}

function cachedByText(schema: Record<string, unknown>): SchemaValidator {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Refresh recency so the hot agent tool sets stay cached.
    cache.delete(key);
    cache.set(key, hit);
    return hit.validator;
  }
  const entry = compile(schema);
  cache.set(key, entry);
  if (cache.size > CACHE_LIMIT) {
    const [oldestKey, oldest] = cache.entries().next().value ?? [];
    if (oldestKey !== undefined) cache.delete(oldestKey);
    if (oldest?.compiled !== undefined) ajv.removeSchema(oldest.compiled);
  }
  return entry.validator;
}

function compile(schema: Record<string, unknown>): CacheEntry {
  // `$schema` names drafts this Ajv build may not know (2020-12) and a top-level `$id` would clash
  // across compiles in the shared instance; neither changes what the arguments must look like.
  const { $schema: _draft, $id: _id, ...rest } = schema;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(rest);
  } catch {
    // A schema Ajv cannot compile is the client's problem, not the model's: do not fail calls on it.
    return { validator: accept, compiled: undefined };
  }
  const validator: SchemaValidator = (value) => {
    if (validate(value)) return { ok: true };
    return { ok: false, error: ajv.errorsText(validate.errors, { dataVar: 'arguments' }) };
  };
  return { validator, compiled: rest };
}
