import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORPUS_TOOLS } from './__fixtures__/replies.ts';
import { renderToolCallAsText, renderToolResultAsText, truncateMiddle } from './render-tool-history.ts';
import { createToolCallParser } from './tool-call-parser.ts';

describe('renderToolCallAsText', () => {
  test('function call in the taught format, arguments compacted', () => {
    assert.equal(
      renderToolCallAsText({
        type: 'tool-call',
        id: 'call_1',
        name: 'get_weather',
        arguments: '{ "city": "Paris" }',
        kind: 'function',
      }),
      '<tool_call id="call_1">{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>',
    );
  });

  test('empty and non-JSON arguments', () => {
    const base = { type: 'tool-call', id: 'c', name: 'f', kind: 'function' } as const;
    assert.equal(
      renderToolCallAsText({ ...base, arguments: '' }),
      '<tool_call id="c">{"name":"f","arguments":{}}</tool_call>',
    );
    assert.equal(
      renderToolCallAsText({ ...base, arguments: 'not json at all' }),
      '<tool_call id="c">{"name":"f","arguments":"not json at all"}</tool_call>',
    );
  });

  test('custom call with raw input on its own lines', () => {
    assert.equal(
      renderToolCallAsText({
        type: 'tool-call',
        id: 'c"2',
        name: 'apply_patch',
        arguments: 'a\nb',
        kind: 'custom',
      }),
      '<tool_call name="apply_patch" id="c&quot;2">\na\nb\n</tool_call>',
    );
  });

  test('a rendered call parses back to the same call (the model sees its own format)', () => {
    const parser = createToolCallParser(CORPUS_TOOLS, { parallel: true, newId: () => 'x' });
    const text =
      renderToolCallAsText({
        type: 'tool-call',
        id: 'a',
        name: 'read_file',
        arguments: '{"path":"p"}',
        kind: 'function',
      }) +
      renderToolCallAsText({
        type: 'tool-call',
        id: 'b',
        name: 'apply_patch',
        arguments: '*** Begin\n',
        kind: 'custom',
      });
    const events = [...parser.push(text), ...parser.end()];
    assert.deepEqual(
      events.filter((event) => event.type === 'tool-call-delta'),
      [
        { type: 'tool-call-delta', id: 'x', argumentsDelta: '{"path":"p"}' },
        { type: 'tool-call-delta', id: 'x', argumentsDelta: '*** Begin\n' },
      ],
    );
  });
});

describe('renderToolResultAsText', () => {
  test('result with name, id and error flag', () => {
    assert.equal(
      renderToolResultAsText({
        type: 'tool-result',
        toolCallId: 'call_1',
        name: 'get_weather',
        content: 'boom',
        isError: true,
      }),
      '<tool_result id="call_1" name="get_weather" is_error="true">\nboom\n</tool_result>',
    );
  });

  test('success without a name; a closing tag inside content is escaped', () => {
    assert.equal(
      renderToolResultAsText({
        type: 'tool-result',
        toolCallId: 'x',
        content: 'a </tool_result> b',
        isError: false,
      }),
      '<tool_result id="x">\na <\\/tool_result> b\n</tool_result>',
    );
  });

  test('long results keep head and tail and say how much was cut', () => {
    const content = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n');
    const text = renderToolResultAsText(
      { type: 'tool-result', toolCallId: 'x', content, isError: false },
      { maxChars: 3000 },
    );
    assert.ok(text.includes('line 0\n'));
    assert.ok(text.includes('line 1999'));
    const match = /\[… (\d+) characters omitted …\]/.exec(text);
    assert.ok(match);
    const kept = text.length - match[0].length;
    assert.ok(kept < 3000 + 100, `${kept}`);
    assert.equal(
      Number(match[1]) + kept - '<tool_result id="x">\n\n\n\n</tool_result>'.length,
      content.length,
    );
  });
});

describe('truncateMiddle', () => {
  test('short text is untouched', () => {
    assert.equal(truncateMiddle('abc', 3), 'abc');
  });

  test('head is two thirds, tail one third, without line breaks to snap to', () => {
    assert.equal(
      truncateMiddle('a'.repeat(60) + 'b'.repeat(60), 30),
      `${'a'.repeat(20)}\n[… 90 characters omitted …]\n${'b'.repeat(10)}`,
    );
  });

  test('never splits a surrogate pair', () => {
    const text = '😀'.repeat(100);
    for (const max of [10, 11, 12, 13]) {
      const out = truncateMiddle(text, max);
      assert.ok(
        !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(out),
        `max ${max}`,
      );
    }
  });
});
