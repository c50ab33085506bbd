import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeFrames, SCRIPTS } from '../shared/test-support.ts';
import { renderResponsesResponse } from './render-responses-response.ts';
import { ResponsesStreamRenderer } from './render-responses-stream.ts';
import type { ResponsesEcho } from './responses-echo.ts';
import type { ResponsesRenderContext } from './responses-render-context.ts';

const ECHO: ResponsesEcho = {
  instructions: null,
  tools: [],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  temperature: null,
  top_p: null,
  max_output_tokens: null,
  metadata: {},
  store: true,
  previous_response_id: null,
  text: { format: { type: 'text' } },
  reasoning: { effort: null, summary: null },
  user: null,
};

/** Deterministic item ids: `msg_1`, `fc_2`, … */
function context(): ResponsesRenderContext {
  let n = 0;
  return {
    id: 'resp_1',
    model: 'demo/m',
    createdAt: 1700000000,
    inputTokens: 7,
    echo: ECHO,
    newId: (p) => `${p}${++n}`,
  };
}

function response(status: string, output: unknown[], usage: unknown, extra: Record<string, unknown> = {}) {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1700000000,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: 'demo/m',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
    output_text: (output as { type?: string; content?: { text: string }[] }[])
      .flatMap((item) => (item.type === 'message' ? (item.content ?? []).map((part) => part.text) : []))
      .join(''),
    ...extra,
  };
}

const usage = (input: number, output: number) => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: input + output,
});

const text = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
const message = (id: string, t: string) => ({
  id,
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [text(t)],
});
const functionCall = (id: string, callId: string, name: string, args: string) => ({
  id,
  type: 'function_call',
  status: 'completed',
  call_id: callId,
  name,
  arguments: args,
});

function renderStream(events: readonly ChatEvent[]) {
  const renderer = new ResponsesStreamRenderer(context());
  const frames = decodeFrames([...renderer.start(), ...events.flatMap((event) => renderer.push(event))]);
  // Every frame is named, its name matches its type, and sequence numbers count up from 0.
  frames.forEach((frame, index) => {
    const data = frame.data as Record<string, unknown>;
    assert.equal(frame.event, data.type);
    assert.equal(data.sequence_number, index);
  });
  return frames.map((frame) => {
    const { sequence_number, ...data } = frame.data as Record<string, unknown>;
    return data;
  });
}

const CREATED = [
  { type: 'response.created', response: response('in_progress', [], null) },
  { type: 'response.in_progress', response: response('in_progress', [], null) },
];

function messageEvents(id: string, index: number, deltas: string[]) {
  const where = { item_id: id, output_index: index };
  const full = deltas.join('');
  return [
    {
      type: 'response.output_item.added',
      output_index: index,
      item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
    { type: 'response.content_part.added', ...where, content_index: 0, part: text('') },
    ...deltas.map((delta) => ({
      type: 'response.output_text.delta',
      ...where,
      content_index: 0,
      delta,
      logprobs: [],
    })),
    { type: 'response.output_text.done', ...where, content_index: 0, text: full, logprobs: [] },
    { type: 'response.content_part.done', ...where, content_index: 0, part: text(full) },
    { type: 'response.output_item.done', output_index: index, item: message(id, full) },
  ];
}

function functionCallEvents(id: string, index: number, callId: string, name: string, deltas: string[]) {
  const where = { item_id: id, output_index: index };
  const args = deltas.join('');
  return [
    {
      type: 'response.output_item.added',
      output_index: index,
      item: { ...functionCall(id, callId, name, ''), status: 'in_progress' },
    },
    ...deltas.map((delta) => ({ type: 'response.function_call_arguments.delta', ...where, delta })),
    { type: 'response.function_call_arguments.done', ...where, name, arguments: args },
    { type: 'response.output_item.done', output_index: index, item: functionCall(id, callId, name, args) },
  ];
}

describe('ResponsesStreamRenderer', () => {
  test('plain text: exact first frame', () => {
    const renderer = new ResponsesStreamRenderer(context());
    const [first] = renderer.start();
    assert.ok(
      first?.startsWith(
        'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1",',
      ),
    );
    assert.ok(first?.endsWith(',"sequence_number":0}\n\n'));
  });

  const reasoningItem = {
    id: 'rs_1',
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: 'Thinking.' }],
    encrypted_content: 'sig-1',
  };

  const cases: { name: string; events: ChatEvent[]; expected: unknown[] }[] = [
    {
      name: 'plain text',
      events: SCRIPTS.plainText,
      expected: [
        ...CREATED,
        ...messageEvents('msg_1', 0, ['Hello', ', world']),
        {
          type: 'response.completed',
          response: response('completed', [message('msg_1', 'Hello, world')], usage(10, 3)),
        },
      ],
    },
    {
      name: 'reasoning as a summary, signature in encrypted_content, then text',
      events: SCRIPTS.reasoning,
      expected: [
        ...CREATED,
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { id: 'rs_1', type: 'reasoning', summary: [] },
        },
        {
          type: 'response.reasoning_summary_part.added',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        },
        {
          type: 'response.reasoning_summary_text.delta',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          delta: 'Think',
        },
        {
          type: 'response.reasoning_summary_text.delta',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          delta: 'ing.',
        },
        {
          type: 'response.reasoning_summary_text.done',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          text: 'Thinking.',
        },
        {
          type: 'response.reasoning_summary_part.done',
          item_id: 'rs_1',
          output_index: 0,
          summary_index: 0,
          part: { type: 'summary_text', text: 'Thinking.' },
        },
        { type: 'response.output_item.done', output_index: 0, item: reasoningItem },
        ...messageEvents('msg_2', 1, ['Answer']),
        {
          type: 'response.completed',
          response: response('completed', [reasoningItem, message('msg_2', 'Answer')], usage(10, 5)),
        },
      ],
    },
    {
      name: 'one function call with streamed arguments',
      events: SCRIPTS.oneToolCall,
      expected: [
        ...CREATED,
        ...functionCallEvents('fc_1', 0, 'call_1', 'get_weather', ['{"city":', '"Paris"}']),
        {
          type: 'response.completed',
          response: response(
            'completed',
            [functionCall('fc_1', 'call_1', 'get_weather', '{"city":"Paris"}')],
            usage(20, 8),
          ),
        },
      ],
    },
    {
      name: 'text then two function calls',
      events: SCRIPTS.textThenTwoToolCalls,
      expected: [
        ...CREATED,
        ...messageEvents('msg_1', 0, ['Checking.']),
        ...functionCallEvents('fc_2', 1, 'call_a', 'a', ['{}']),
        ...functionCallEvents('fc_3', 2, 'call_b', 'b', ['{"x":1}']),
        {
          type: 'response.completed',
          response: response(
            'completed',
            [
              message('msg_1', 'Checking.'),
              functionCall('fc_2', 'call_a', 'a', '{}'),
              functionCall('fc_3', 'call_b', 'b', '{"x":1}'),
            ],
            usage(20, 9),
          ),
        },
      ],
    },
    {
      name: 'custom tool call',
      events: [
        { type: 'tool-call-start', id: 'call_p', name: 'apply_patch', kind: 'custom' },
        { type: 'tool-call-delta', id: 'call_p', argumentsDelta: '*** Begin' },
        { type: 'tool-call-end', id: 'call_p' },
        { type: 'finish', reason: 'tool-calls' },
      ],
      expected: [
        ...CREATED,
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: {
            id: 'ctc_1',
            type: 'custom_tool_call',
            status: 'in_progress',
            call_id: 'call_p',
            name: 'apply_patch',
            input: '',
          },
        },
        {
          type: 'response.custom_tool_call_input.delta',
          item_id: 'ctc_1',
          output_index: 0,
          delta: '*** Begin',
        },
        {
          type: 'response.custom_tool_call_input.done',
          item_id: 'ctc_1',
          output_index: 0,
          input: '*** Begin',
        },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: {
            id: 'ctc_1',
            type: 'custom_tool_call',
            status: 'completed',
            call_id: 'call_p',
            name: 'apply_patch',
            input: '*** Begin',
          },
        },
        {
          type: 'response.completed',
          response: response(
            'completed',
            [
              {
                id: 'ctc_1',
                type: 'custom_tool_call',
                status: 'completed',
                call_id: 'call_p',
                name: 'apply_patch',
                input: '*** Begin',
              },
            ],
            usage(7, 0),
          ),
        },
      ],
    },
    {
      name: 'empty reply: completed with no output',
      events: SCRIPTS.empty,
      expected: [
        ...CREATED,
        { type: 'response.completed', response: response('completed', [], usage(4, 0)) },
      ],
    },
    {
      name: 'stop sequence: completed',
      events: SCRIPTS.stopSequence,
      expected: [
        ...CREATED,
        ...messageEvents('msg_1', 0, ['one two']),
        {
          type: 'response.completed',
          response: response('completed', [message('msg_1', 'one two')], usage(5, 2)),
        },
      ],
    },
    {
      name: 'max tokens: response.completed carrying status incomplete',
      events: SCRIPTS.maxTokens,
      expected: [
        ...CREATED,
        ...messageEvents('msg_1', 0, ['cut sh']),
        {
          type: 'response.completed',
          response: response('incomplete', [message('msg_1', 'cut sh')], usage(5, 2), {
            incomplete_details: { reason: 'max_output_tokens' },
          }),
        },
      ],
    },
    {
      name: 'error mid-stream: error event with nested error, then response.failed',
      events: SCRIPTS.errorMidStream,
      expected: [
        ...CREATED,
        ...messageEvents('msg_1', 0, ['Partial']).slice(0, 3),
        {
          type: 'error',
          code: 'upstream_error',
          message: 'The site stopped answering.',
          param: null,
          error: {
            message: 'The site stopped answering.',
            type: 'server_error',
            param: null,
            code: 'upstream_error',
          },
        },
        {
          type: 'response.failed',
          response: response('failed', [], usage(7, 0), {
            error: { code: 'upstream_error', message: 'The site stopped answering.' },
          }),
        },
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(renderStream(c.events), c.expected));

  test('events after the end are ignored', () => {
    const renderer = new ResponsesStreamRenderer(context());
    renderer.push({ type: 'finish', reason: 'stop' });
    assert.deepEqual(renderer.push({ type: 'text-delta', text: 'late' }), []);
  });

  test('echo fields appear in the response object', () => {
    const ctx = {
      ...context(),
      echo: { ...ECHO, instructions: 'Be brief.', store: false, metadata: { a: 'b' } },
    };
    const [created] = decodeFrames(new ResponsesStreamRenderer(ctx).start());
    const body = (created!.data as { response: Record<string, unknown> }).response;
    assert.equal(body.instructions, 'Be brief.');
    assert.equal(body.store, false);
    assert.deepEqual(body.metadata, { a: 'b' });
  });

  test('ping is an SSE comment', () =>
    assert.equal(new ResponsesStreamRenderer(context()).ping(), ': ping\n\n'));
});

describe('renderResponsesResponse', () => {
  const cases: { name: string; events: ChatEvent[]; expected: unknown }[] = [
    {
      name: 'plain text',
      events: SCRIPTS.plainText,
      expected: response('completed', [message('msg_1', 'Hello, world')], usage(10, 3)),
    },
    {
      name: 'reasoning then text',
      events: SCRIPTS.reasoning,
      expected: response(
        'completed',
        [
          {
            id: 'rs_1',
            type: 'reasoning',
            summary: [{ type: 'summary_text', text: 'Thinking.' }],
            encrypted_content: 'sig-1',
          },
          message('msg_2', 'Answer'),
        ],
        usage(10, 5),
      ),
    },
    {
      name: 'text and two function calls',
      events: SCRIPTS.textThenTwoToolCalls,
      expected: response(
        'completed',
        [
          message('msg_1', 'Checking.'),
          functionCall('fc_2', 'call_a', 'a', '{}'),
          functionCall('fc_3', 'call_b', 'b', '{"x":1}'),
        ],
        usage(20, 9),
      ),
    },
    { name: 'empty reply', events: SCRIPTS.empty, expected: response('completed', [], usage(4, 0)) },
    {
      name: 'max tokens',
      events: SCRIPTS.maxTokens,
      expected: response('incomplete', [message('msg_1', 'cut sh')], usage(5, 2), {
        incomplete_details: { reason: 'max_output_tokens' },
      }),
    },
  ];
  for (const c of cases)
    test(c.name, () => assert.deepEqual(renderResponsesResponse(c.events, context()), c.expected));

  test('an error event is thrown as its GatewayError', () => {
    assert.throws(() => renderResponsesResponse(SCRIPTS.errorMidStream, context()), GatewayError);
  });
});
