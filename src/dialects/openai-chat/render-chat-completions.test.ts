import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeFrames, SCRIPTS } from '../shared/test-support.ts';
import type { ChatCompletionsRenderContext } from './chat-completions-render-context.ts';
import { renderChatCompletionResponse } from './render-chat-completions-response.ts';
import { ChatCompletionsStreamRenderer } from './render-chat-completions-stream.ts';

const CTX: ChatCompletionsRenderContext = {
  id: 'chatcmpl-1',
  model: 'demo/m',
  createdAt: 1700000000,
  inputTokens: 7,
  includeUsage: false,
};

function renderStream(events: readonly ChatEvent[], includeUsage = false): string[] {
  const renderer = new ChatCompletionsStreamRenderer({ ...CTX, includeUsage });
  return [...renderer.start(), ...events.flatMap((event) => renderer.push(event))];
}

/** The `choices[0]` (or usage) part of each chunk, after checking the envelope every chunk shares. */
function deltas(frames: string[], includeUsage = false): unknown[] {
  return decodeFrames(frames).map(({ data }) => {
    if (data === '[DONE]') return data;
    const chunk = data as Record<string, unknown>;
    if ('error' in chunk) return chunk;
    const { id, object, created, model, system_fingerprint, choices, ...rest } = chunk;
    assert.deepEqual(
      { id, object, created, model, system_fingerprint },
      {
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1700000000,
        model: 'demo/m',
        system_fingerprint: null,
      },
    );
    const list = choices as Record<string, unknown>[];
    if (list.length === 0) return { usage: rest.usage };
    assert.equal(list.length, 1);
    if (includeUsage) assert.deepEqual(rest, { usage: null });
    else assert.deepEqual(rest, {});
    const { index, logprobs, ...choice } = list[0]!;
    assert.deepEqual({ index, logprobs }, { index: 0, logprobs: null });
    return choice;
  });
}

const ROLE = { delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null };
const content = (text: string) => ({ delta: { content: text }, finish_reason: null });
const finish = (reason: string) => ({ delta: {}, finish_reason: reason });

describe('ChatCompletionsStreamRenderer', () => {
  test('plain text: exact wire frames', () => {
    const frames = renderStream(SCRIPTS.plainText);
    const envelope =
      '"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"demo/m","system_fingerprint":null';
    assert.deepEqual(frames, [
      `data: {${envelope},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`,
      `data: {${envelope},"choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}\n\n`,
      `data: {${envelope},"choices":[{"index":0,"delta":{"content":", world"},"logprobs":null,"finish_reason":null}]}\n\n`,
      `data: {${envelope},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`,
      'data: [DONE]\n\n',
    ]);
  });

  const cases: { name: string; events: ChatEvent[]; includeUsage?: boolean; expected: unknown[] }[] = [
    {
      name: 'reasoning as reasoning_content, signature dropped',
      events: SCRIPTS.reasoning,
      expected: [
        ROLE,
        { delta: { reasoning_content: 'Think' }, finish_reason: null },
        { delta: { reasoning_content: 'ing.' }, finish_reason: null },
        content('Answer'),
        finish('stop'),
        '[DONE]',
      ],
    },
    {
      name: 'one tool call with streamed arguments',
      events: SCRIPTS.oneToolCall,
      expected: [
        ROLE,
        {
          delta: {
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          },
          finish_reason: null,
        },
        { delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null },
        { delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: null },
        finish('tool_calls'),
        '[DONE]',
      ],
    },
    {
      name: 'text then two tool calls get indexes 0 and 1',
      events: SCRIPTS.textThenTwoToolCalls,
      expected: [
        ROLE,
        content('Checking.'),
        {
          delta: {
            tool_calls: [
              { index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '' } },
            ],
          },
          finish_reason: null,
        },
        { delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, finish_reason: null },
        {
          delta: {
            tool_calls: [
              { index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '' } },
            ],
          },
          finish_reason: null,
        },
        { delta: { tool_calls: [{ index: 1, function: { arguments: '{"x":1}' } }] }, finish_reason: null },
        finish('tool_calls'),
        '[DONE]',
      ],
    },
    {
      name: 'tool call finishing with plain stop still says tool_calls',
      events: [
        { type: 'tool-call-start', id: 'c', name: 'f', kind: 'function' },
        { type: 'tool-call-end', id: 'c' },
        { type: 'finish', reason: 'stop' },
      ],
      expected: [
        ROLE,
        {
          delta: {
            tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '' } }],
          },
          finish_reason: null,
        },
        finish('tool_calls'),
        '[DONE]',
      ],
    },
    { name: 'empty reply', events: SCRIPTS.empty, expected: [ROLE, finish('stop'), '[DONE]'] },
    {
      name: 'stop sequence hit is a plain stop',
      events: SCRIPTS.stopSequence,
      expected: [ROLE, content('one two'), finish('stop'), '[DONE]'],
    },
    {
      name: 'max tokens hit',
      events: SCRIPTS.maxTokens,
      expected: [ROLE, content('cut sh'), finish('length'), '[DONE]'],
    },
    {
      name: 'content filter',
      events: [{ type: 'finish', reason: 'content-filter' }],
      expected: [ROLE, finish('content_filter'), '[DONE]'],
    },
    {
      name: 'usage on: usage null on every chunk, then a choices:[] usage chunk',
      events: SCRIPTS.plainText,
      includeUsage: true,
      expected: [
        ROLE,
        content('Hello'),
        content(', world'),
        finish('stop'),
        { usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } },
        '[DONE]',
      ],
    },
    {
      name: 'usage on without a usage event falls back to the prompt estimate',
      events: [{ type: 'finish', reason: 'stop' }],
      includeUsage: true,
      expected: [
        ROLE,
        finish('stop'),
        { usage: { prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 } },
        '[DONE]',
      ],
    },
    {
      name: 'error mid-stream: an error frame the SDK raises on, then [DONE]',
      events: SCRIPTS.errorMidStream,
      expected: [
        ROLE,
        content('Partial'),
        {
          error: {
            message: 'The site stopped answering.',
            type: 'server_error',
            param: null,
            code: 'upstream_error',
          },
        },
        '[DONE]',
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(deltas(renderStream(c.events, c.includeUsage), c.includeUsage), c.expected);
    });
  }

  test('events after the end are ignored; start() is idempotent', () => {
    const renderer = new ChatCompletionsStreamRenderer(CTX);
    assert.equal(renderer.start().length, 1);
    assert.deepEqual(renderer.start(), []);
    renderer.push({ type: 'finish', reason: 'stop' });
    assert.deepEqual(renderer.push({ type: 'text-delta', text: 'late' }), []);
  });

  test('push without start() still sends the role chunk first', () => {
    const renderer = new ChatCompletionsStreamRenderer(CTX);
    const frames = deltas(renderer.push({ type: 'text-delta', text: 'x' }));
    assert.deepEqual(frames, [ROLE, content('x')]);
  });

  test('ping is an SSE comment', () => {
    assert.equal(new ChatCompletionsStreamRenderer(CTX).ping(), ': ping\n\n');
  });
});

describe('renderChatCompletionResponse', () => {
  const body = (events: ChatEvent[]) => renderChatCompletionResponse(events, CTX) as Record<string, unknown>;
  const choice = (events: ChatEvent[]) => (body(events).choices as unknown[])[0];

  test('plain text: full body', () => {
    assert.deepEqual(body(SCRIPTS.plainText), {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'demo/m',
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello, world', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
    });
  });

  const cases: { name: string; events: ChatEvent[]; expected: unknown }[] = [
    {
      name: 'reasoning',
      events: SCRIPTS.reasoning,
      expected: {
        index: 0,
        message: { role: 'assistant', content: 'Answer', refusal: null, reasoning_content: 'Thinking.' },
        logprobs: null,
        finish_reason: 'stop',
      },
    },
    {
      name: 'tool calls only: content null',
      events: SCRIPTS.oneToolCall,
      expected: {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    },
    {
      name: 'text and two tool calls',
      events: SCRIPTS.textThenTwoToolCalls,
      expected: {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Checking.',
          refusal: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'a', arguments: '{}' } },
            { id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    },
    {
      name: 'custom tool call',
      events: [
        { type: 'tool-call-start', id: 'c1', name: 'apply_patch', kind: 'custom' },
        { type: 'tool-call-delta', id: 'c1', argumentsDelta: '*** Begin Patch' },
        { type: 'finish', reason: 'tool-calls' },
      ],
      expected: {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: 'c1', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    },
    {
      name: 'empty reply: empty string content',
      events: SCRIPTS.empty,
      expected: {
        index: 0,
        message: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    },
    {
      name: 'stop sequence',
      events: SCRIPTS.stopSequence,
      expected: {
        index: 0,
        message: { role: 'assistant', content: 'one two', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    },
    {
      name: 'max tokens',
      events: SCRIPTS.maxTokens,
      expected: {
        index: 0,
        message: { role: 'assistant', content: 'cut sh', refusal: null },
        logprobs: null,
        finish_reason: 'length',
      },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(choice(c.events), c.expected));

  test('usage falls back to the prompt estimate', () => {
    assert.deepEqual(body([{ type: 'finish', reason: 'stop' }]).usage, {
      prompt_tokens: 7,
      completion_tokens: 0,
      total_tokens: 7,
    });
  });

  test('an error event is thrown as its GatewayError', () => {
    assert.throws(
      () => body(SCRIPTS.errorMidStream),
      (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.kind, 'upstream');
        return true;
      },
    );
  });
});
