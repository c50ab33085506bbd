import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planStructuredOutput } from './structured-output.ts';

const schema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name', 'age'],
  additionalProperties: false,
};

describe('planStructuredOutput', () => {
  test('text needs nothing', () => {
    const plan = planStructuredOutput({ type: 'text' });
    assert.equal(plan.instructions, undefined);
    assert.deepEqual(plan.validate('anything'), { ok: true, value: 'anything', text: 'anything' });
  });

  test('json_object: fences and prose stripped, JSON repaired', () => {
    const plan = planStructuredOutput({ type: 'json_object' });
    assert.ok(plan.instructions?.includes('JSON object only'));
    const cases: Array<[string, unknown]> = [
      ['{"a":1}', { a: 1 }],
      ['```json\n{"a": 1,}\n```', { a: 1 }],
      ["Here you go:\n{'a': 1} Hope that helps!", { a: 1 }],
      ['Sure!\n```\n{"a": [1, 2\n```\nDone.', { a: [1, 2] }],
    ];
    for (const [text, value] of cases) {
      assert.deepEqual(plan.validate(text), { ok: true, value, text: JSON.stringify(value) }, text);
    }
  });

  test('json_object rejects non-objects and missing JSON', () => {
    const plan = planStructuredOutput({ type: 'json_object' });
    assert.equal(plan.validate('no json here').ok, false);
    assert.equal(plan.validate('[1,2]').ok, false);
  });

  test('json_schema: the schema is in the instructions and enforced', () => {
    const plan = planStructuredOutput({ type: 'json_schema', name: 'person', schema });
    assert.ok(plan.instructions?.includes('"person"'));
    assert.ok(plan.instructions?.includes('"required":["name","age"]'));
    assert.deepEqual(plan.validate('{"name": "Ana", "age": 30}'), {
      ok: true,
      value: { name: 'Ana', age: 30 },
      text: '{"name":"Ana","age":30}',
    });
    const wrong = plan.validate('{"name": "Ana", "age": "thirty"}');
    assert.equal(wrong.ok, false);
    assert.match(wrong.ok ? '' : wrong.error, /age must be integer/);
    assert.equal(plan.validate('{"name": "Ana", "age": 3, "x": 1}').ok, false);
  });
});
