import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { inputItemsForStorage } from './input-items.ts';
import { parseResponsesRequest } from './parse-responses-request.ts';

let counter = 0;
const newId = (prefix: string) => `${prefix}${++counter}`;

describe('inputItemsForStorage', () => {
  test('a string input is one user message with an input_text part', () => {
    counter = 0;
    assert.deepEqual(inputItemsForStorage('hi', undefined, newId), [
      { id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    ]);
  });

  test('ids kept or assigned by type; string content becomes parts; references replaced', () => {
    counter = 0;
    const stored = {
      id: 'msg_old',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'x' }],
    };
    const out = inputItemsForStorage(
      [
        { role: 'user', content: 'q' },
        { type: 'item_reference', id: 'msg_old' },
        { type: 'function_call', id: 'fc_mine', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c', output: 'ok' },
        { role: 'assistant', content: 'a' },
      ],
      new Map([['msg_old', stored]]),
      newId,
    );
    assert.deepEqual(
      out.map((item) => item.id),
      ['msg_1', 'msg_old', 'fc_mine', 'fco_2', 'msg_3'],
    );
    assert.deepEqual(out[0]?.content, [{ type: 'input_text', text: 'q' }]);
    assert.deepEqual(out[4]?.content, [{ type: 'output_text', text: 'a' }]);
    assert.equal(out[1], stored);
  });
});

describe('parseResponsesRequest: item_reference', () => {
  const body = {
    model: 'm',
    input: [
      { role: 'user', content: 'first' },
      { type: 'item_reference', id: 'msg_a' },
      { type: 'item_reference', id: 'fc_b' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
    ],
  };

  test('without the store: references are collected, nothing resolved, no error', () => {
    const parsed = parseResponsesRequest(body);
    assert.deepEqual(parsed.itemReferences, [
      { id: 'msg_a', param: 'input[1]' },
      { id: 'fc_b', param: 'input[2]' },
    ]);
  });

  test('an input made only of references is not "empty"', () => {
    const parsed = parseResponsesRequest({ model: 'm', input: [{ type: 'item_reference', id: 'msg_a' }] });
    assert.equal(parsed.itemReferences.length, 1);
  });

  test('with the stored items: they take the references’ places in the transcript', () => {
    const references = new Map<string, Record<string, unknown>>([
      [
        'msg_a',
        {
          id: 'msg_a',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'answer', annotations: [] }],
        },
      ],
      [
        'fc_b',
        {
          id: 'fc_b',
          type: 'function_call',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{}',
          status: 'completed',
        },
      ],
    ]);
    const { request } = parseResponsesRequest(body, { references });
    assert.deepEqual(
      request.messages.map((m) => [m.role, m.content.map((p) => p.type)]),
      [
        ['user', ['text']],
        ['assistant', ['text', 'tool-call']],
        ['tool', ['tool-result']],
      ],
    );
    const result = request.messages[2]?.content[0];
    assert.ok(result?.type === 'tool-result' && result.name === 'get_weather');
  });

  test('a reference the store does not hold → 404 in the official wording, naming input[i]', () => {
    assert.throws(
      () => parseResponsesRequest(body, { references: new Map() }),
      (error: unknown) =>
        error instanceof GatewayError &&
        error.status === 404 &&
        error.param === 'input[1]' &&
        /^Item with id 'msg_a' not found\. Items are not persisted when `store` is set to false\./.test(
          error.message,
        ),
    );
  });
});
