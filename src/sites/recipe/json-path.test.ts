import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileJsonPath, evaluateJsonPath, firstMatch, JsonPathError } from './json-path.ts';

const chunk = {
  choices: [{ delta: { content: 'Hel' } }, { delta: { content: 'lo' } }, { delta: {} }],
  'odd key': { x: 1 },
  error: null,
};

describe('JSONPath subset', () => {
  test('member chains, indexes and the root', () => {
    assert.equal(firstMatch(compileJsonPath('$.choices[0].delta.content'), chunk), 'Hel');
    assert.equal(firstMatch(compileJsonPath('$.choices[-2].delta.content'), chunk), 'lo');
    assert.equal(firstMatch(compileJsonPath("$['odd key'].x"), chunk), 1);
    assert.equal(firstMatch(compileJsonPath('$["odd key"]["x"]'), chunk), 1);
    assert.equal(firstMatch(compileJsonPath('$'), 'raw'), 'raw');
  });

  test('wildcards yield every match in order and skip missing members', () => {
    assert.deepEqual(evaluateJsonPath(compileJsonPath('$.choices[*].delta.content'), chunk), ['Hel', 'lo']);
    assert.deepEqual(evaluateJsonPath(compileJsonPath('$.odd.*'), { odd: { a: 1, b: 2 } }), [1, 2]);
  });

  test('a null member is a match; a missing one is not', () => {
    assert.deepEqual(evaluateJsonPath(compileJsonPath('$.error'), chunk), [null]);
    assert.deepEqual(evaluateJsonPath(compileJsonPath('$.nothing.deeper'), chunk), []);
    assert.deepEqual(evaluateJsonPath(compileJsonPath('$.choices.length'), chunk), []);
    assert.deepEqual(evaluateJsonPath(compileJsonPath('$.constructor'), {}), []);
  });

  for (const [path, column, message] of [
    ['choices', 1, "starts with '$'"],
    ['$..content', 2, 'recursive descent'],
    ['$.choices[?(@.x)]', 11, 'filters'],
    ['$.choices[0:2]', 12, 'slices'],
    ['$.choices[0,1]', 12, 'unions'],
    ['$.choices[0', 12, "expected ']'"],
    ["$['open", 3, 'unterminated'],
    ['$.1abc', 3, 'member name'],
    ['$.a b', 4, "unexpected ' '"],
  ] as const) {
    test(`rejects ${path} at column ${column}`, () => {
      assert.throws(
        () => compileJsonPath(path),
        (error: unknown) =>
          error instanceof JsonPathError && error.column === column && error.message.includes(message),
      );
    });
  }
});
