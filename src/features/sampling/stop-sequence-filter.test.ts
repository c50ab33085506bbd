import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StopSequenceFilter } from './stop-sequence-filter.ts';

function run(stops: string[], chunks: string[]): { out: string; hit: string | undefined } {
  const filter = new StopSequenceFilter(stops);
  let out = '';
  for (const chunk of chunks) out += filter.push(chunk);
  out += filter.end();
  return { out, hit: filter.hit };
}

const table: Array<[string, string[], string, string, string | undefined]> = [
  ['no stops passes through', [], 'hello world', 'hello world', undefined],
  ['stop in the middle', ['END'], 'abc END def', 'abc ', 'END'],
  ['earliest of two stops wins', ['b', 'a'], 'xxab', 'xx', 'a'],
  ['near miss is released', ['STOP'], 'STO and more', 'STO and more', undefined],
  ['prefix at the very end is released on end', ['STOP'], 'ends with ST', 'ends with ST', undefined],
  ['multi-byte text', ['。'], '你好。再见', '你好', '。'],
];

for (const [name, stops, text, expected, hit] of table) {
  test(name, () => {
    for (let cut = 0; cut <= text.length; cut++) {
      const result = run(stops, [text.slice(0, cut), text.slice(cut)]);
      assert.equal(result.out, expected, `cut at ${cut}`);
      assert.equal(result.hit, hit);
    }
  });
}

test('text is held only while it may still become a stop sequence', () => {
  const filter = new StopSequenceFilter(['<END>']);
  assert.equal(filter.push('hello <E'), 'hello ');
  assert.equal(filter.push('X'), '<EX');
});
