import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { ChunkTranslator, mapFinishReason, translateCompletion } from './translate-chat-chunk.ts';

const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
  choices: [{ index: 0, delta: d, finish_reason: finish }],
});

function run(chunks: unknown[], options: ConstructorParameters<typeof ChunkTranslator>[0] = {}): SiteEvent[] {
  const translator = new ChunkTranslator(options);
  const events = chunks.flatMap((chunk) => translator.push(chunk));
  return [...events, ...translator.end(true)];
}

describe('ChunkTranslator', () => {
  test('text deltas stream as they come and one finish ends the reply', () => {
    assert.deepEqual(
      run([delta({ role: 'assistant', content: '' }), delta({ content: 'Hi' }), delta({}, 'stop')]),
      [
        { type: 'text', delta: 'Hi' },
        { type: 'finish', reason: 'stop' },
      ],
    );
  });

  test('reasoning_content and reasoning both become reasoning', () => {
    assert.deepEqual(
      run([delta({ reasoning_content: 'a' }), delta({ reasoning: 'b' }), delta({ content: 'c' }, 'stop')]),
      [
        { type: 'reasoning', delta: 'a' },
        { type: 'reasoning', delta: 'b' },
        { type: 'text', delta: 'c' },
        { type: 'finish', reason: 'stop' },
      ],
    );
  });

  test('tool call fragments are assembled by index and emitted before the finish', () => {
    const events = run([
      delta({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{"x"' } }] }),
      delta({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }),
      delta({}, 'tool_calls'),
    ]);
    assert.deepEqual(events, [
      { type: 'tool-call', id: 'call_a', name: 'a', arguments: '{}' },
      { type: 'tool-call', id: 'call_b', name: 'b', arguments: '{"x":1}' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
  });

  test('custom tools travel wrapped and come back as their raw input', () => {
    const events = run(
      [
        delta(
          {
            tool_calls: [
              { index: 0, id: 'c1', function: { name: 'patch', arguments: '{"input":"*** diff"}' } },
            ],
          },
          'stop',
        ),
      ],
      { customToolNames: new Set(['patch']) },
    );
    assert.deepEqual(events[0], { type: 'tool-call', id: 'c1', name: 'patch', arguments: '*** diff' });
    assert.deepEqual(events[1], { type: 'finish', reason: 'tool-calls' }, 'calls win over a stop finish');
  });

  test('a call without id still gets one', () => {
    const events = run([delta({ tool_calls: [{ function: { name: 'a', arguments: '{}' } }] }, 'tool_calls')]);
    assert.equal(events[0]?.type === 'tool-call' && events[0].id, 'call_0');
  });

  test('nothing follows the finish (usage chunk, repeated finish)', () => {
    const translator = new ChunkTranslator();
    translator.push(delta({ content: 'x' }, 'stop'));
    assert.deepEqual(translator.push({ choices: [], usage: { prompt_tokens: 1 } }), []);
    assert.deepEqual(translator.push(delta({ content: 'late' }, 'stop')), []);
    assert.deepEqual(translator.end(true), []);
  });

  test('[DONE] without a finish_reason is a normal stop; a bare close is an upstream error', () => {
    const done = new ChunkTranslator();
    done.push(delta({ content: 'x' }));
    assert.deepEqual(done.end(true), [{ type: 'finish', reason: 'stop' }]);
    const closed = new ChunkTranslator();
    closed.push(delta({ content: 'x' }));
    assert.throws(
      () => closed.end(false),
      (e: unknown) => e instanceof GatewayError && e.kind === 'upstream',
    );
  });

  test('an error object mid-stream throws a GatewayError of the right kind', () => {
    const translator = new ChunkTranslator();
    assert.throws(
      () => translator.push({ error: { message: 'too long', code: 'context_length_exceeded' } }),
      (e: unknown) => e instanceof GatewayError && e.kind === 'context_length_exceeded',
    );
    assert.throws(
      () => new ChunkTranslator().push({ error: 'boom' }),
      (e: unknown) => e instanceof GatewayError && e.kind === 'upstream' && e.message.includes('boom'),
    );
  });

  test('chunks that are not chat chunks are ignored', () => {
    assert.deepEqual(new ChunkTranslator().push({ object: 'keepalive' }), []);
    assert.deepEqual(new ChunkTranslator().push('text'), []);
  });
});

describe('mapFinishReason', () => {
  for (const [reason, calls, expected] of [
    ['stop', false, 'stop'],
    ['length', false, 'length'],
    ['max_tokens', false, 'length'],
    ['content_filter', false, 'stop'],
    ['tool_calls', true, 'tool-calls'],
    ['function_call', true, 'tool-calls'],
    [undefined, false, 'stop'],
  ] as const) {
    test(`${reason} (calls: ${calls}) → ${expected}`, () => {
      assert.equal(mapFinishReason(reason, calls), expected);
    });
  }
});

describe('translateCompletion', () => {
  test('a JSON completion gives the same events a stream would', () => {
    const events = translateCompletion({
      choices: [
        {
          message: {
            content: 'Done',
            reasoning_content: 'thought',
            tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    assert.deepEqual(events, [
      { type: 'reasoning', delta: 'thought' },
      { type: 'text', delta: 'Done' },
      { type: 'tool-call', id: 'c', name: 'f', arguments: '{"a":1}' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
  });
});
