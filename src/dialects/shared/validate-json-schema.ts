import { Ajv2020 } from 'ajv/dist/2020.js';
import { GatewayError } from '../../core/errors.ts';

/** A tool's or a response format's schema larger than this as JSON text is refused (real ones are < 20 KiB). */
export const MAX_SCHEMA_BYTES = 128 * 1024;

/** Which wording the 400 takes: the official APIs phrase a bad schema differently. */
export type SchemaDialect = 'openai' | 'anthropic';

export interface SchemaSite {
  /** The field as the caller named it: `tools[0].function.parameters`, `tools.0.input_schema`. */
  param: string;
  /** The tool's or format's name, for the OpenAI wording. */
  name: string;
  /** 'function' for tools, 'response_format' for structured output. */
  role: 'function' | 'response_format';
  dialect: SchemaDialect;
}

// Meta-schema validation only (no code generation): `validateSchema` checks the schema against
// the draft 2020-12 meta-schema, which also accepts the draft-07 spellings clients still send
// (`definitions`, `dependencies`). Strict mode off: vendor keywords are common and harmless.
const ajv = new Ajv2020({ strict: false, validateFormats: false, logger: false });

/** Schema texts already found valid; agents resend the same tools on every request. */
const validTexts = new Set<string>();
const CACHE_LIMIT = 512;

/**
 * Refuses a tool or response-format schema that is not a JSON Schema (draft 2020-12, what both
 * official APIs validate against), whose top level is not an object schema, or that is too large,
 * with a 400 naming the field. Call after the body depth check, so nothing here can overflow.
 */
export function assertValidJsonSchema(schema: Record<string, unknown>, site: SchemaSite): void {
  const text = JSON.stringify(schema);
  if (validTexts.has(text)) return;
  if (Buffer.byteLength(text) > MAX_SCHEMA_BYTES) {
    throw invalid(site, `the schema is larger than ${MAX_SCHEMA_BYTES / 1024} KiB`);
  }
  if (site.role === 'function' && schema.type !== undefined && schema.type !== 'object') {
    throw invalid(
      site,
      `schema must be a JSON Schema of 'type: "object"', got 'type: ${JSON.stringify(schema.type)}'`,
    );
  }
  // `$schema` may name an older draft this meta-schema set does not hold; its keywords are the same.
  const { $schema: _draft, ...rest } = schema;
  if (ajv.validateSchema(rest) !== true) {
    throw invalid(site, firstProblem(ajv.errors));
  }
  if (validTexts.size >= CACHE_LIMIT) validTexts.clear();
  validTexts.add(text);
}

/** The first meta-schema complaint, located in the caller's schema: `at /properties/city/type: must be …`. */
function firstProblem(errors: typeof ajv.errors): string {
  const first = errors?.[0];
  if (!first) return 'not a valid JSON Schema';
  const where = first.instancePath === '' ? 'at the top level' : `at '${first.instancePath}'`;
  const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues;
  const list = Array.isArray(allowed) ? ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})` : '';
  return `${where}: ${first.message ?? 'invalid'}${list}`;
}

function invalid(site: SchemaSite, detail: string): GatewayError {
  const message =
    site.dialect === 'anthropic'
      ? `${site.param}: JSON schema is invalid. It must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12): ${detail}.`
      : site.role === 'function'
        ? `Invalid schema for function '${site.name}': ${detail}.`
        : `Invalid schema for response_format '${site.name}': ${detail}.`;
  return new GatewayError('invalid_request', message, { param: site.param });
}
