import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeFrames, SCRIPTS } from '../shared/test-support.ts';
import type { MessagesRenderContext } from './messages-render-context.ts';
import { renderCountTokensResponse, renderMessagesResponse } from './render-messages-response.ts';
import { MessagesStreamRenderer } from './render-messages-stream.ts';

const CTX: MessagesRenderContext = { id: 'msg_1', model: 'demo/m', inputTokens: 7 };

const usage = (input: number, output: number) => ({
  input_tokens: input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: output,
});

function renderStream(events: readonly ChatEvent[]) {
  const renderer = new MessagesStreamRenderer(CTX);
  const frames = decodeFrames([...renderer.start(), ...events.flatMap((event) => renderer.push(event))]);
  return frames.map((frame) => {
    // Every frame is named and the name matches its payload's type.
    assert.equal(frame.event, (frame.data as { type: string }).type);
    return frame.data;
  });
}

const START = {
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'demo/m',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage(7, 1),
  },
};
const blockStart = (index: number, content_block: unknown) => ({
  type: 'content_block_start',
  index,
  content_block,
});
const delta = (index: number, d: unknown) => ({ type: 'content_block_delta', index, delta: d });
const stop = (index: number) => ({ type: 'content_block_stop', index });
const textBlock = (index: number, ...texts: string[]) => [
  blockStart(index, { type: 'text', text: '' }),
  ...texts.map((text) => delta(index, { type: 'text_delta', text })),
  stop(index),
];
const end = (stop_reason: string, u: unknown, stop_sequence: string | null = null) => [
  { type: 'message_delta', delta: { stop_reason, stop_sequence }, usage: u },
  { type: 'message_stop' },
];

describe('MessagesStreamRenderer', () => {
  test('plain text: exact wire frames', () => {
    const renderer = new MessagesStreamRenderer(CTX);
    const frames = [...renderer.start(), ...SCRIPTS.plainText.flatMap((event) => renderer.push(event))];
    assert.deepEqual(frames, [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"demo/m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", world"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ]);
  });

  const toolUse = (index: number, id: string, name: string, ...parts: string[]) => [
    blockStart(index, { type: 'tool_use', id, name, input: {} }),
    ...parts.map((partial_json) => delta(index, { type: 'input_json_delta', partial_json })),
    stop(index),
  ];

  const cases: { name: string; events: ChatEvent[]; expected: unknown[] }[] = [
    {
      name: 'thinking with signature, then text',
      events: SCRIPTS.reasoning,
      expected: [
        START,
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
        delta(0, { type: 'thinking_delta', thinking: 'Think' }),
        delta(0, { type: 'thinking_delta', thinking: 'ing.' }),
        delta(0, { type: 'signature_delta', signature: 'sig-1' }),
        stop(0),
        ...textBlock(1, 'Answer'),
        ...end('end_turn', usage(10, 5)),
      ],
    },
    {
      name: 'one tool call with streamed input',
      events: SCRIPTS.oneToolCall,
      expected: [
        START,
        ...toolUse(0, 'call_1', 'get_weather', '{"city":', '"Paris"}'),
        ...end('tool_use', usage(20, 8)),
      ],
    },
    {
      name: 'text then two tool calls',
      events: SCRIPTS.textThenTwoToolCalls,
      expected: [
        START,
        ...textBlock(0, 'Checking.'),
        ...toolUse(1, 'call_a', 'a', '{}'),
        ...toolUse(2, 'call_b', 'b', '{"x":1}'),
        ...end('tool_use', usage(20, 9)),
      ],
    },
    { name: 'empty reply', events: SCRIPTS.empty, expected: [START, ...end('end_turn', usage(4, 0))] },
    {
      name: 'stop sequence hit names the sequence',
      events: SCRIPTS.stopSequence,
      expected: [START, ...textBlock(0, 'one two'), ...end('stop_sequence', usage(5, 2), 'three')],
    },
    {
      name: 'max tokens hit',
      events: SCRIPTS.maxTokens,
      expected: [START, ...textBlock(0, 'cut sh'), ...end('max_tokens', usage(5, 2))],
    },
    {
      name: 'no usage event: prompt estimate and 0 output',
      events: [{ type: 'finish', reason: 'content-filter' }],
      expected: [START, ...end('refusal', usage(7, 0))],
    },
    {
      name: 'error mid-stream: an error event and nothing after',
      events: SCRIPTS.errorMidStream,
      expected: [
        START,
        blockStart(0, { type: 'text', text: '' }),
        delta(0, { type: 'text_delta', text: 'Partial' }),
        { type: 'error', error: { type: 'api_error', message: 'The site stopped answering.' } },
      ],
    },
    {
      name: 'overloaded mid-stream',
      events: [{ type: 'error', error: new GatewayError('overloaded', 'Busy.') }],
      expected: [START, { type: 'error', error: { type: 'overloaded_error', message: 'Busy.' } }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(renderStream(c.events), c.expected));

  test('ping is a named ping event', () => {
    assert.equal(new MessagesStreamRenderer(CTX).ping(), 'event: ping\ndata: {"type":"ping"}\n\n');
  });

  test('events after the end are ignored', () => {
    const renderer = new MessagesStreamRenderer(CTX);
    renderer.push({ type: 'finish', reason: 'stop' });
    assert.deepEqual(renderer.push({ type: 'text-delta', text: 'late' }), []);
  });
});

describe('renderMessagesResponse', () => {
  const message = (
    content: unknown[],
    stop_reason: string,
    u: unknown,
    stop_sequence: string | null = null,
  ) => ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'demo/m',
    content,
    stop_reason,
    stop_sequence,
    usage: u,
  });
  const cases: { name: string; events: ChatEvent[]; expected: unknown }[] = [
    {
      name: 'plain text',
      events: SCRIPTS.plainText,
      expected: message([{ type: 'text', text: 'Hello, world' }], 'end_turn', usage(10, 3)),
    },
    {
      name: 'thinking with signature',
      events: SCRIPTS.reasoning,
      expected: message(
        [
          { type: 'thinking', thinking: 'Thinking.', signature: 'sig-1' },
          { type: 'text', text: 'Answer' },
        ],
        'end_turn',
        usage(10, 5),
      ),
    },
    {
      name: 'tool calls with parsed input',
      events: SCRIPTS.textThenTwoToolCalls,
      expected: message(
        [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_a', name: 'a', input: {} },
          { type: 'tool_use', id: 'call_b', name: 'b', input: { x: 1 } },
        ],
        'tool_use',
        usage(20, 9),
      ),
    },
    { name: 'empty reply', events: SCRIPTS.empty, expected: message([], 'end_turn', usage(4, 0)) },
    {
      name: 'stop sequence',
      events: SCRIPTS.stopSequence,
      expected: message([{ type: 'text', text: 'one two' }], 'stop_sequence', usage(5, 2), 'three'),
    },
    {
      name: 'max tokens',
      events: SCRIPTS.maxTokens,
      expected: message([{ type: 'text', text: 'cut sh' }], 'max_tokens', usage(5, 2)),
    },
  ];
  for (const c of cases)
    test(c.name, () => assert.deepEqual(renderMessagesResponse(c.events, CTX), c.expected));

  test('an error event is thrown as its GatewayError', () => {
    assert.throws(() => renderMessagesResponse(SCRIPTS.errorMidStream, CTX), GatewayError);
  });

  test('count_tokens body', () => assert.deepEqual(renderCountTokensResponse(12), { input_tokens: 12 }));
});
