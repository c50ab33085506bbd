import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { renderToolCallAsText, renderToolResultAsText } from '../../features/tools/index.ts';
import type { SiteTurn } from '../../site-contract/site.ts';
import { HISTORY_END } from '../../features/conversations/flatten-history.ts';
import { buildChatRequest, findRenderedCall, splitCurrentResults } from './build-chat-request.ts';
import { toInlineAttachment } from '../kit/inline-attachment.ts';

const options = { maxTokensField: 'max_tokens' as const };
const turn = (over: Partial<SiteTurn> = {}): SiteTurn => ({
  model: 'GPT-4o',
  text: 'Hello',
  attachments: [],
  ...over,
});

describe('buildChatRequest', () => {
  test('a plain turn is one user message, streamed', () => {
    assert.deepEqual(buildChatRequest(turn(), options), {
      model: 'GPT-4o',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
  });

  test('system prompt, sampling, output limit under the configured field name and extra body', () => {
    const request = buildChatRequest(
      turn({ systemPrompt: 'Be brief.', temperature: 0.2, maxOutputTokens: 99 }),
      {
        maxTokensField: 'max_completion_tokens',
        extraBody: { reasoning_effort: 'low', model: 'not-this' },
      },
    );
    assert.deepEqual(request.messages[0], { role: 'system', content: 'Be brief.' });
    assert.equal(request.temperature, 0.2);
    assert.equal(request.max_completion_tokens, 99);
    assert.equal(request.max_tokens, undefined);
    assert.equal(request.reasoning_effort, 'low');
    assert.equal(request.model, 'GPT-4o', 'extra body cannot override the model');
  });

  test('images inline as image_url data URLs, other files as file parts', () => {
    const png = toInlineAttachment({
      data: new Uint8Array([1, 2, 3]),
      filename: 'a.png',
      mediaType: 'image/png',
    });
    const pdf = toInlineAttachment({
      data: new Uint8Array([4]),
      filename: 'b.pdf',
      mediaType: 'application/pdf',
    });
    const request = buildChatRequest(turn({ attachments: [png, pdf] }), options);
    assert.deepEqual(request.messages[0], {
      role: 'user',
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } },
        { type: 'file', file: { filename: 'b.pdf', file_data: 'data:application/pdf;base64,BA==' } },
      ],
    });
  });

  test('a foreign attachment id is refused clearly', () => {
    assert.throws(
      () =>
        buildChatRequest(turn({ attachments: [{ fileId: 'file_123', mediaType: 'image/png' }] }), options),
      (e: unknown) => e instanceof GatewayError && e.kind === 'invalid_request',
    );
  });

  test('tools and tool choice map to OpenAI functions; custom tools are wrapped', () => {
    const request = buildChatRequest(
      turn({
        tools: [
          {
            kind: 'function',
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object' },
            strict: true,
          },
          { kind: 'custom', name: 'apply_patch' },
        ],
        toolChoice: { type: 'tool', name: 'get_weather' },
      }),
      options,
    );
    assert.deepEqual(request.tools?.[0], {
      type: 'function',
      function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true },
    });
    assert.equal(request.tools?.[1]?.function.name, 'apply_patch');
    assert.deepEqual(request.tools?.[1]?.function.parameters.required, ['input']);
    assert.deepEqual(request.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    for (const [choice, wire] of [
      ['auto', 'auto'],
      ['none', 'none'],
      ['required', 'required'],
    ] as const) {
      const r = buildChatRequest(
        turn({ tools: [{ kind: 'function', name: 'f' }], toolChoice: { type: choice } }),
        options,
      );
      assert.equal(r.tool_choice, wire);
    }
  });

  test('tool results become tool messages after the assistant call they answer', () => {
    const call = renderToolCallAsText({
      type: 'tool-call',
      id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      kind: 'function',
    });
    const result = { toolCallId: 'call_1', name: 'get_weather', content: '18C', isError: false };
    const rendered = renderToolResultAsText({ type: 'tool-result', ...result });
    const text = `[Conversation so far]\nUser: weather?\nAssistant: ${call}\n[End]\n\n${rendered}`;
    const request = buildChatRequest(turn({ text, toolResults: [result] }), options);
    assert.equal(request.messages.length, 3);
    const user = request.messages[0];
    assert.ok(user?.role === 'user' && typeof user.content === 'string');
    assert.ok(!user.content.includes('<tool_result'), 'the result is not sent twice');
    assert.ok(user.content.includes(call), 'the history keeps the call');
    assert.deepEqual(request.messages[1], {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
    assert.deepEqual(request.messages[2], { role: 'tool', tool_call_id: 'call_1', content: '18C' });
  });

  test('an error result says so; a call not found in the text still pairs by id', () => {
    const request = buildChatRequest(
      turn({ text: 'go on', toolResults: [{ toolCallId: 'x', name: 'f', content: 'boom', isError: true }] }),
      options,
    );
    assert.deepEqual(request.messages[1], {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{}' } }],
    });
    assert.deepEqual(request.messages[2], { role: 'tool', tool_call_id: 'x', content: 'Error: boom' });
  });
});

describe('findRenderedCall', () => {
  test('reads function and custom calls back, with escaped ids', () => {
    const fn = renderToolCallAsText({
      type: 'tool-call',
      id: 'a"b',
      name: 'f',
      arguments: '{"q":[1]}',
      kind: 'function',
    });
    assert.deepEqual(findRenderedCall(`x ${fn} y`, 'a"b'), { name: 'f', arguments: '{"q":[1]}' });
    const custom = renderToolCallAsText({
      type: 'tool-call',
      id: 'c',
      name: 'patch',
      arguments: 'line1\nline2',
      kind: 'custom',
    });
    assert.deepEqual(findRenderedCall(custom, 'c'), {
      name: 'patch',
      arguments: '{"input":"line1\\nline2"}',
    });
    assert.equal(findRenderedCall(fn, 'other'), undefined);
  });
});

describe('splitCurrentResults', () => {
  const result = (id: string, content: string, name = 'f') => ({
    toolCallId: id,
    name,
    content,
    isError: false,
  });
  const rendered = (id: string, content: string, name?: string) =>
    renderToolResultAsText({
      type: 'tool-result',
      toolCallId: id,
      content,
      isError: false,
      ...(name ? { name } : {}),
    });

  test('results after the history block are current and cut; earlier ones stay in the story', () => {
    const text = [
      '[Conversation so far]',
      `Tool: ${rendered('old', 'first', 'f')}`,
      HISTORY_END,
      '',
      rendered('new', 'second', 'f'),
    ].join('\n');
    const { text: out, current } = splitCurrentResults(text, [
      result('old', 'first'),
      result('new', 'second'),
    ]);
    assert.deepEqual(
      current.map((r) => r.toolCallId),
      ['new'],
    );
    assert.ok(out.includes('first'), 'the historic result stays');
    assert.ok(!out.includes('second'), 'the current result is not sent twice');
  });

  test('a result rendered without its name (the pipeline had none) is still found', () => {
    const text = `before\n\n${rendered('b', 'two')}\n\nafter`;
    const { text: out, current } = splitCurrentResults(text, [result('b', 'two', 'unknown')]);
    assert.equal(out, 'before\n\nafter');
    assert.equal(current.length, 1);
  });

  test('a result missing from the text is current; the text is left alone', () => {
    const { text: out, current } = splitCurrentResults('just text', [result('x', 'y')]);
    assert.equal(out, 'just text');
    assert.equal(current.length, 1);
  });
});
