import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { assertValidJsonSchema, MAX_SCHEMA_BYTES, type SchemaSite } from './validate-json-schema.ts';

const tool: SchemaSite = {
  param: 'tools[0].function.parameters',
  name: 'weather',
  role: 'function',
  dialect: 'openai',
};
const format: SchemaSite = {
  param: 'text.format.schema',
  name: 'out',
  role: 'response_format',
  dialect: 'openai',
};
const anthropic: SchemaSite = {
  param: 'tools[2].input_schema',
  name: 'weather',
  role: 'function',
  dialect: 'anthropic',
};

function refusal(schema: Record<string, unknown>, site: SchemaSite): GatewayError {
  try {
    assertValidJsonSchema(schema, site);
  } catch (error) {
    assert.ok(error instanceof GatewayError);
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(schema).slice(0, 200)}`);
}

describe('assertValidJsonSchema', () => {
  const valid: Array<[string, Record<string, unknown>]> = [
    ['empty parameters', {}],
    ['a plain object schema', { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }],
    [
      'draft-07 $schema and definitions',
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        definitions: { x: { type: 'integer' } },
        properties: { x: { $ref: '#/definitions/x' } },
      },
    ],
    [
      '2020-12 $defs, anyOf, nullable types',
      {
        type: 'object',
        $defs: { n: { type: ['string', 'null'] } },
        properties: { n: { anyOf: [{ $ref: '#/$defs/n' }, { type: 'number' }] } },
      },
    ],
    ['vendor keywords', { type: 'object', 'x-order': 1, properties: {} }],
  ];
  for (const [name, schema] of valid) {
    test(`accepts ${name}`, () => assertValidJsonSchema(schema, tool));
  }

  const invalid: Array<[string, Record<string, unknown>, SchemaSite, RegExp]> = [
    [
      'an unknown type',
      { type: 'object', properties: { a: { type: 'foo' } } },
      tool,
      /^Invalid schema for function 'weather': at '\/properties\/a\/type'/,
    ],
    ['required that is not an array', { type: 'object', required: 'a' }, tool, /required.*must be array/],
    [
      'a top-level non-object tool schema',
      { type: 'string' },
      tool,
      /must be a JSON Schema of 'type: "object"'/,
    ],
    [
      'properties that is not an object',
      { type: 'object', properties: [] },
      format,
      /^Invalid schema for response_format 'out'/,
    ],
    [
      'a negative minLength',
      { type: 'object', properties: { a: { type: 'string', minLength: -1 } } },
      anthropic,
      /^tools\[2\]\.input_schema: JSON schema is invalid\. It must match JSON Schema draft 2020-12/,
    ],
  ];
  for (const [name, schema, site, message] of invalid) {
    test(`refuses ${name} with a 400 naming the field`, () => {
      const error = refusal(schema, site);
      assert.equal(error.status, 400);
      assert.equal(error.param, site.param);
      assert.match(error.message, message);
    });
  }

  test('a response format may be any schema type (a top-level string is allowed)', () => {
    assertValidJsonSchema({ type: 'string' }, format);
  });

  test('refuses a schema larger than the limit', () => {
    const properties = Object.fromEntries(
      Array.from({ length: MAX_SCHEMA_BYTES / 16 }, (_, i) => [`field_${i}`, { type: 'string' }]),
    );
    assert.match(refusal({ type: 'object', properties }, tool).message, /larger than 128 KiB/);
  });

  test('a schema found valid once is still refused when changed', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    assertValidJsonSchema(schema, tool);
    assert.equal(refusal({ ...schema, properties: { a: { type: 'strin' } } }, tool).status, 400);
  });
});
