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

  test('$each builds one item per element, spread inside a list; $if picks a branch or leaves it out', () => {
    const body = compileJsonTemplate({
      messages: [
        { $if: '{{systemPrompt}}', $then: { role: 'system', content: '{{systemPrompt}}' } },
        {
          $each: '{{messages}}',
          $as: 'm',
          $item: {
            role: '{{m.role}}',
            n: '{{mIndex}}',
            content: {
              $each: '{{m.parts}}',
              $as: 'p',
              $item: { $if: '{{p.dataUrl}}', $then: { url: '{{p.dataUrl}}' }, $else: { text: '{{p.text}}' } },
            },
          },
        },
      ],
    });
    const vars = {
      messages: [
        { role: 'user', parts: [{ text: 'hi' }, { dataUrl: 'data:image/png;base64,AA==' }] },
        { role: 'assistant', parts: [] },
      ],
    };
    assert.deepEqual(renderJson(body, vars), {
      messages: [
        { role: 'user', n: 0, content: [{ text: 'hi' }, { url: 'data:image/png;base64,AA==' }] },
        { role: 'assistant', n: 1, content: [] },
      ],
    });
    const withSystem = renderJson(body, { ...vars, systemPrompt: 'be brief' }) as { messages: unknown[] };
    assert.deepEqual(withSystem.messages[0], { role: 'system', content: 'be brief' });
    // A missing list is no items; a value that is not a list is an error naming the template.
    assert.deepEqual(renderJson(body, {}), { messages: [] });
    assert.throws(() => renderJson(body, { messages: 'x' }), /\$each '\{\{messages\}\}' is not a list/);
  });

  for (const [value, message] of [
    [{ $each: '{{a}}', $item: 1, extra: 2 }, 'takes only $as and $item'],
    [{ $each: 'x {{a}}', $item: 1 }, 'needs one placeholder'],
    [{ $each: '{{a}}' }, 'needs an $item'],
    [{ $each: '{{a}}', $as: '1x', $item: 1 }, '$as is a name'],
    [{ $if: '{{a}}' }, 'needs $then or $else'],
  ] as const) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => compileJsonTemplate(value),
        (error: unknown) => error instanceof TemplateSyntaxError && error.message.includes(message),
      );
    });
  }

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
