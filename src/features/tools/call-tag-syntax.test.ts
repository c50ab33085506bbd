import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchCloseTag, matchFenceClose, matchOpenTag } from './call-tag-syntax.ts';

describe('matchOpenTag', () => {
  test('matches the accepted openers', () => {
    const cases: Array<[string, boolean, Record<string, string>]> = [
      ['<tool_call>', false, {}],
      ['<function_call >', false, {}],
      ['<TOOL_USE>', false, {}],
      ['<tool_call name="x" id=\'y\'>', false, { name: 'x', id: 'y' }],
      ['<tool_call name=x>', false, { name: 'x' }],
      ['```\n<tool_call>', true, {}],
      ['```xml\n<tool_call>', true, {}],
      ['```json  \r\n  <tool_call>', true, {}],
      ['```<tool_call>', true, {}],
    ];
    for (const [text, fenced, attributes] of cases) {
      assert.deepEqual(
        matchOpenTag(`${text}rest`, 0, false),
        { kind: 'match', end: text.length, fenced, attributes },
        text,
      );
    }
  });

  test('every strict prefix of an opener is partial, and none when final', () => {
    for (const text of ['<tool_call name="x">', '```json\n<function_call>']) {
      for (let i = 1; i < text.length; i++) {
        assert.equal(matchOpenTag(text.slice(0, i), 0, false).kind, 'partial', text.slice(0, i));
        assert.equal(matchOpenTag(text.slice(0, i), 0, true).kind, 'none', text.slice(0, i));
      }
    }
  });

  test('look-alikes are rejected without waiting', () => {
    for (const text of [
      '< b',
      '<b>',
      '<toolbox',
      '<tool_calls>',
      '<tool_call/>',
      '<tool_call is a',
      '```python\nx',
      '````\n<tool_call>',
      '``x',
      '<tool_call a>',
      '<tool_call a="<">',
    ]) {
      assert.equal(matchOpenTag(text, 0, false).kind, 'none', text);
    }
  });

  test('an opener with an endless attribute value is given up on', () => {
    assert.equal(matchOpenTag(`<tool_call name="${'x'.repeat(300)}`, 0, false).kind, 'none');
  });
});

describe('matchCloseTag', () => {
  test('closers', () => {
    assert.deepEqual(matchCloseTag('</tool_call>', 0, false), { kind: 'match', end: 12 });
    assert.deepEqual(matchCloseTag('</Function_Call >', 0, false), { kind: 'match', end: 17 });
    assert.equal(matchCloseTag('</tool_c', 0, false).kind, 'partial');
    assert.equal(matchCloseTag('</tool_c', 0, true).kind, 'none');
    assert.equal(matchCloseTag('</b>', 0, false).kind, 'none');
  });
});

describe('matchFenceClose', () => {
  test('fence alone on its line', () => {
    assert.deepEqual(matchFenceClose('```\nx', 0, false), { kind: 'match', end: 3 });
    assert.equal(matchFenceClose('```', 0, false).kind, 'partial');
    assert.deepEqual(matchFenceClose('```', 0, true), { kind: 'match', end: 3 });
    assert.equal(matchFenceClose('```js', 0, false).kind, 'none');
  });
});
