import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { parseChatCompletionsRequest } from './parse-chat-completions-request.ts';

const PNG_BASE64 = 'iVBORw0KGgo=';
const base = { model: 'demo/m', messages: [{ role: 'user', content: 'hi' }] };

describe('parseChatCompletionsRequest', () => {
  test('minimal request gets canonical defaults', () => {
    assert.deepEqual(parseChatCompletionsRequest(base), {
      request: {
        model: 'demo/m',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        tools: [],
        toolChoice: { type: 'auto' },
        parallelToolCalls: true,
        stop: [],
        responseFormat: { type: 'text' },
        stream: false,
        metadata: {},
      },
      includeUsage: false,
    });
  });

  test('sampling, limits, stream options, user, metadata and unknown fields', () => {
    const { request, includeUsage } = parseChatCompletionsRequest({
      ...base,
      max_tokens: 50,
      max_completion_tokens: 100,
      stop: 'END',
      temperature: 0.5,
      top_p: 0.9,
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      user: 'alice',
      metadata: { team: 'x' },
      reasoning_effort: 'low',
      seed: 42,
      logit_bias: null,
      frequency_penalty: 0,
    });
    assert.equal(request.maxOutputTokens, 100);
    assert.deepEqual(request.stop, ['END']);
    assert.equal(request.temperature, 0.5);
    assert.equal(request.topP, 0.9);
    assert.equal(request.stream, true);
    assert.equal(includeUsage, true);
    assert.deepEqual(request.metadata, { team: 'x', user: 'alice' });
    assert.deepEqual(request.reasoning, { enabled: true, effort: 'low' });
  });

  test('explicit nulls are accepted as absent', () => {
    const { request } = parseChatCompletionsRequest({
      ...base,
      stop: null,
      tools: null,
      tool_choice: null,
      temperature: null,
      max_tokens: null,
      response_format: null,
      stream_options: null,
    });
    assert.deepEqual(request.stop, []);
    assert.equal(request.temperature, undefined);
  });

  test('include_usage only matters when streaming', () => {
    assert.equal(
      parseChatCompletionsRequest({ ...base, stream_options: { include_usage: true } }).includeUsage,
      false,
    );
  });

  test('leading system and developer messages become system; later ones stay in place', () => {
    const { request } = parseChatCompletionsRequest({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Now be verbose.' },
      ],
    });
    assert.equal(request.system, 'Be brief.\n\nUse French.');
    assert.deepEqual(request.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', content: [{ type: 'text', text: 'Now be verbose.' }] },
    ]);
  });

  test('content parts: text, data URL image with detail, remote image, file', () => {
    const { request } = parseChatCompletionsRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            { type: 'file', file: { file_data: 'aGVsbG8=', filename: 'b.txt' } },
          ],
        },
      ],
    });
    assert.deepEqual(request.messages[0]?.content, [
      { type: 'text', text: 'look' },
      {
        type: 'image',
        data: new Uint8Array(Buffer.from(PNG_BASE64, 'base64')),
        mediaType: 'image/png',
        detail: 'high',
      },
      { type: 'image', url: 'https://example.com/cat.jpg' },
      {
        type: 'file',
        data: new Uint8Array(Buffer.from('JVBERi0=', 'base64')),
        mediaType: 'application/pdf',
        filename: 'a.pdf',
      },
      { type: 'file', data: new Uint8Array(Buffer.from('hello')), filename: 'b.txt' },
    ]);
  });

  test('assistant tool calls and tool results (name looked up by id)', () => {
    const { request } = parseChatCompletionsRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'need a tool',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_2', type: 'custom', custom: { name: 'patch', input: 'raw' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_unknown', content: [{ type: 'text', text: 'x' }] },
      ],
    });
    assert.deepEqual(request.messages.slice(1), [
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'need a tool' },
          {
            type: 'tool-call',
            id: 'call_1',
            name: 'get_weather',
            arguments: '{"city":"Paris"}',
            kind: 'function',
          },
          { type: 'tool-call', id: 'call_2', name: 'patch', arguments: 'raw', kind: 'custom' },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            name: 'get_weather',
            content: 'sunny',
            isError: false,
          },
        ],
      },
      {
        role: 'tool',
        content: [{ type: 'tool-result', toolCallId: 'call_unknown', content: 'x', isError: false }],
      },
    ]);
  });

  test('tools, tool_choice, parallel_tool_calls, response_format', () => {
    const { request } = parseChatCompletionsRequest({
      ...base,
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'does f', parameters: { type: 'object' }, strict: true },
        },
        { type: 'custom', custom: { name: 'g' } },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'out', schema: { type: 'object' }, strict: true },
      },
    });
    assert.deepEqual(request.tools, [
      { name: 'f', kind: 'function', description: 'does f', parameters: { type: 'object' }, strict: true },
      { name: 'g', kind: 'custom' },
    ]);
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'f' });
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(request.responseFormat, {
      type: 'json_schema',
      name: 'out',
      schema: { type: 'object' },
      strict: true,
    });
    assert.deepEqual(parseChatCompletionsRequest({ ...base, tool_choice: 'required' }).request.toolChoice, {
      type: 'required',
    });
    assert.deepEqual(
      parseChatCompletionsRequest({ ...base, response_format: { type: 'json_object' } }).request
        .responseFormat,
      {
        type: 'json_object',
      },
    );
  });

  test('reasoning_effort none disables reasoning', () => {
    assert.deepEqual(parseChatCompletionsRequest({ ...base, reasoning_effort: 'none' }).request.reasoning, {
      enabled: false,
    });
  });

  const bad: { name: string; body: unknown; param: string | undefined; message?: RegExp }[] = [
    { name: 'body not an object', body: [], param: undefined },
    { name: 'missing model', body: { messages: base.messages }, param: 'model' },
    { name: 'model wrong type', body: { ...base, model: 3 }, param: 'model' },
    { name: 'messages not an array', body: { model: 'm', messages: 'hi' }, param: 'messages' },
    {
      name: 'empty messages',
      body: { model: 'm', messages: [] },
      param: 'messages',
      message: /at least one/,
    },
    {
      name: 'unknown role',
      body: { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
      param: 'messages[0].role',
    },
    {
      name: 'content wrong type',
      body: { model: 'm', messages: [{ role: 'user', content: 5 }] },
      param: 'messages[0].content',
    },
    {
      name: 'unknown part type',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] },
      param: 'messages[0].content[0].type',
    },
    {
      name: 'text part without text',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      param: 'messages[0].content[0].text',
    },
    { name: 'n > 1', body: { ...base, n: 2 }, param: 'n' },
    { name: 'temperature out of range', body: { ...base, temperature: 3 }, param: 'temperature' },
    { name: 'stream wrong type', body: { ...base, stream: 'yes' }, param: 'stream' },
    {
      name: 'bad base64 image',
      body: {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@!' } }],
          },
        ],
      },
      param: 'messages[0].content[0].image_url.url',
      message: /base64/,
    },
    {
      name: 'non-http image URL',
      body: {
        model: 'm',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] },
        ],
      },
      param: 'messages[0].content[0].image_url.url',
    },
    {
      name: 'audio input',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
      param: 'messages[0].content[0]',
      message: /Audio/,
    },
    {
      name: 'file by id',
      body: {
        model: 'm',
        messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }],
      },
      param: 'messages[0].content[0].file.file_id',
    },
    {
      name: 'tool message without tool_call_id',
      body: { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      param: 'messages[0].tool_call_id',
    },
    {
      name: 'tool_choice names an unknown tool',
      body: { ...base, tool_choice: { type: 'function', function: { name: 'zz' } } },
      param: 'tool_choice',
    },
    { name: 'unknown tool type', body: { ...base, tools: [{ type: 'web_search' }] }, param: 'tools[0].type' },
    {
      name: 'bad response_format',
      body: { ...base, response_format: { type: 'yaml' } },
      param: 'response_format.type',
    },
  ];
  for (const c of bad) {
    test(`400: ${c.name}`, () => {
      assert.throws(
        () => parseChatCompletionsRequest(c.body),
        (error: unknown) => {
          assert.ok(error instanceof GatewayError);
          assert.equal(error.kind, 'invalid_request');
          assert.equal(error.status, 400);
          assert.equal(error.param, c.param);
          if (c.param) assert.match(error.message, new RegExp(c.param.replace(/[[\].]/g, '\\$&')));
          if (c.message) assert.match(error.message, c.message);
          return true;
        },
      );
    });
  }
});
