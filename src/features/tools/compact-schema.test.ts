import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clipText, compactSchema } from './compact-schema.ts';

describe('compactSchema', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Args',
    type: 'object',
    properties: {
      title: { type: 'string', title: 'Title', description: 'The title. '.repeat(40) },
      description: { type: 'string', examples: ['x'] },
      tags: { type: 'array', items: { type: 'string', title: 'Tag' } },
      mode: { anyOf: [{ const: 'a', title: 'A' }, { const: 'b' }] },
    },
    required: ['title'],
    additionalProperties: false,
  };

  test('full drops only title/$schema keywords; properties named title/description survive', () => {
    assert.deepEqual(compactSchema(schema, 'full'), {
      type: 'object',
      properties: {
        title: { type: 'string', description: 'The title. '.repeat(40) },
        description: { type: 'string', examples: ['x'] },
        tags: { type: 'array', items: { type: 'string' } },
        mode: { anyOf: [{ const: 'a' }, { const: 'b' }] },
      },
      required: ['title'],
      additionalProperties: false,
    });
  });

  test('brief clips descriptions, drops examples and additionalProperties false', () => {
    const brief = compactSchema(schema, 'brief') as { properties: Record<string, Record<string, unknown>> };
    assert.ok(String(brief.properties.title?.description).length <= 160);
    assert.equal(brief.properties.description?.examples, undefined);
    assert.equal((brief as Record<string, unknown>).additionalProperties, undefined);
  });

  test('minimal drops nested descriptions', () => {
    const minimal = compactSchema(schema, 'minimal') as {
      properties: Record<string, Record<string, unknown>>;
    };
    assert.deepEqual(minimal.properties.title, { type: 'string' });
  });

  test('clipText cuts at a word boundary and marks the cut', () => {
    assert.equal(clipText('short', 10), 'short');
    assert.equal(clipText('one two three four five', 20), 'one two three four…');
    assert.equal(clipText('abcdefghijklmnop', 10), 'abcdefghi…');
  });
});
