import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileJsonTemplate,
  compileTemplate,
  renderJson,
  renderString,
  renderValue,
  TemplateSyntaxError,
} from './template.ts';

describe('recipe templates', () => {
  test('interpolates strings; missing values become empty', () => {
    const template = compileTemplate('/api/threads/{{threadId}}/x{{missing}}');
    assert.deepEqual(template.names, ['threadId', 'missing']);
    assert.equal(renderString(template, { threadId: 't 1' }), '/api/threads/t 1/x');
    assert.equal(renderString(template, { threadId: 't 1' }, encodeURIComponent), '/api/threads/t%201/x');
  });

  test('a lone placeholder keeps its type; defaults and filters apply', () => {
    assert.deepEqual(renderValue(compileTemplate('{{fileIds}}'), { fileIds: ['a', 'b'] }), ['a', 'b']);
    assert.equal(renderValue(compileTemplate('{{fileIds}}'), {}), undefined);
    assert.deepEqual(renderValue(compileTemplate('{{ fileIds ?? [] }}'), {}), []);
    assert.equal(renderValue(compileTemplate('{{text | json}}'), { text: 'a"b' }), '"a\\"b"');
    assert.equal(renderString(compileTemplate('q={{text|url}}'), { text: 'a b&c' }), 'q=a%20b%26c');
  });

  test('JSON bodies leave out fields whose placeholder is missing', () => {
    const body = compileJsonTemplate({
      threadId: '{{threadId}}',
      model: '{{model}}',
      nested: { list: ['{{a}}', 'literal', '{{b}}'], n: 3, ok: true, none: null },
      label: 'model {{model}}',
    });
    assert.deepEqual(renderJson(body, { model: 'm', a: 1 }), {
      model: 'm',
      nested: { list: [1, 'literal'], n: 3, ok: true, none: null },
      label: 'model m',
    });
  });

  for (const [source, message] of [
    ['{{model', 'unclosed'],
    ['{{ 1x }}', 'bad placeholder'],
    ['{{a ?? nope}}', 'not a JSON literal'],
    ['{{a | upper}}', 'unknown filter'],
  ] as const) {
    test(`rejects '${source}'`, () => {
      assert.throws(
        () => compileTemplate(source),
        (error: unknown) => error instanceof TemplateSyntaxError && error.message.includes(message),
      );
    });
  }
});
