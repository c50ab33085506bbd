import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';
import { answerFromEvents } from './answer-message.ts';

describe('answerFromEvents', () => {
  test('collects text, reasoning and tool calls of a finished stream', () => {
    const events: ChatEvent[] = [
      { type: 'reasoning-delta', text: 'thin' },
      { type: 'reasoning-delta', text: 'king' },
      { type: 'reasoning-end', signature: 'sig' },
      { type: 'text-delta', text: 'Let me ' },
      { type: 'text-delta', text: 'check.' },
      { type: 'tool-call-start', id: 'c1', name: 'weather', kind: 'function' },
      { type: 'tool-call-delta', id: 'c1', argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', id: 'c1', argumentsDelta: '"Paris"}' },
      { type: 'tool-call-end', id: 'c1' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 2, estimated: true } },
      { type: 'finish', reason: 'tool-calls' },
    ];
    assert.deepEqual(answerFromEvents(events), {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thinking', signature: 'sig' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool-call', id: 'c1', name: 'weather', kind: 'function', arguments: '{"city":"Paris"}' },
      ],
    });
  });

  test('an empty finished answer is an empty assistant message', () => {
    assert.deepEqual(answerFromEvents([{ type: 'finish', reason: 'stop' }]), {
      role: 'assistant',
      content: [],
    });
  });

  test('a stream that failed or never finished gives nothing to record', () => {
    assert.equal(answerFromEvents([{ type: 'text-delta', text: 'half' }]), undefined);
    assert.equal(
      answerFromEvents([
        { type: 'text-delta', text: 'half' },
        { type: 'error', error: new GatewayError('upstream', 'boom') },
      ]),
      undefined,
    );
  });
});
