import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertJsonDepth } from './json-depth.ts';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('assertJsonDepth', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['flat body', { model: 'x', messages: [] }, undefined],
    ['just under the limit', { metadata: nested(62) }, undefined],
    ['10,000-deep metadata', { metadata: nested(10_000) }, 'metadata.a.a'],
    ['deep tool schema', { tools: [{ input_schema: nested(10_000) }] }, 'tools[0].input_schema'],
  ];
  for (const [name, body, param] of cases) {
    test(name, () => {
      if (param === undefined) assertJsonDepth(body);
      else
        assert.throws(
          () => assertJsonDepth(body),
          (error: { status: number; param: string }) => {
            assert.equal(error.status, 400);
            assert.equal(error.param, param);
            return true;
          },
        );
    });
  }
});
