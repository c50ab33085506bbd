import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { translateDemoFrame } from './translate-demo-frame.ts';

const cases: Array<[string, unknown, ReturnType<typeof translateDemoFrame>]> = [
  [
    'meta',
    { threadId: 't1', messageId: 'm1', turn: 2 },
    { event: { type: 'thread', threadId: 't1', messageId: 'm1', turn: 2 }, done: false },
  ],
  ['thinking', { delta: 'hmm' }, { event: { type: 'reasoning', delta: 'hmm' }, done: false }],
  ['text', { delta: 'hi' }, { event: { type: 'text', delta: 'hi' }, done: false }],
  [
    'tool_call',
    { id: 'c1', name: 'get', arguments: '{"a":1}' },
    { event: { type: 'tool-call', id: 'c1', name: 'get', arguments: '{"a":1}' }, done: false },
  ],
  ['done', { finishReason: 'tool_calls' }, { event: { type: 'finish', reason: 'tool-calls' }, done: true }],
  ['done', { finishReason: 'length' }, { event: { type: 'finish', reason: 'length' }, done: true }],
  ['done', {}, { event: { type: 'finish', reason: 'stop' }, done: true }],
  ['future_event', { x: 1 }, { event: undefined, done: false }],
];

for (const [name, payload, expected] of cases) {
  test(`frame ${name} ${JSON.stringify(payload)}`, () => {
    assert.deepEqual(translateDemoFrame(name, payload), expected);
  });
}

test('an error frame throws an upstream GatewayError', () => {
  assert.throws(
    () => translateDemoFrame('error', { code: 'boom', message: 'broke' }),
    (error: unknown) =>
      error instanceof GatewayError && error.kind === 'upstream' && /boom/.test(error.message),
  );
});

test('a malformed frame is rejected, not silently dropped', () => {
  assert.throws(() => translateDemoFrame('text', { nope: 1 }));
});
