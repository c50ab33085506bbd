import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstJsonValueEnd, parseLenientJson, stripCodeFence } from './json-text.ts';

describe('parseLenientJson', () => {
  test('strict JSON is not marked repaired', () => {
    assert.deepEqual(parseLenientJson(' {"a":1} '), { ok: true, value: { a: 1 }, repaired: false });
  });

  test('repairs what models write', () => {
    const cases: Array<[string, unknown]> = [
      ['{"a": 1,}', { a: 1 }],
      ["{'a': 'b'}", { a: 'b' }],
      ['{"a": "x\ny"}', { a: 'x\ny' }],
      ['{"a": {"b": [1, 2', { a: { b: [1, 2] } }],
      ['{"a": True, "b": None}', { a: true, b: null }],
      ['{"a": 1}}', { a: 1 }],
      ['{"a": 1} and then some prose', { a: 1 }],
    ];
    for (const [text, value] of cases)
      assert.deepEqual(parseLenientJson(text), { ok: true, value, repaired: true }, text);
  });

  test('reports failure for empty text', () => {
    assert.equal(parseLenientJson('  ').ok, false);
  });
});

describe('firstJsonValueEnd', () => {
  test('respects strings and both quote styles', () => {
    assert.equal(firstJsonValueEnd('{"a": "}"} x'), 10);
    assert.equal(firstJsonValueEnd("{'a': '}\\''} x"), 12);
    assert.equal(firstJsonValueEnd('[1, [2]]]'), 8);
    assert.equal(firstJsonValueEnd('{"a": 1'), undefined);
    assert.equal(firstJsonValueEnd('x'), undefined);
  });
});

describe('stripCodeFence', () => {
  test('either side may be missing', () => {
    assert.equal(stripCodeFence('```json\n{"a":1}\n```'), '{"a":1}');
    assert.equal(stripCodeFence('```\n{"a":1}'), '{"a":1}');
    assert.equal(stripCodeFence('{"a":1}\n```'), '{"a":1}');
    assert.equal(stripCodeFence('{"a":1}'), '{"a":1}');
  });
});
