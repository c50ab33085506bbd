import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { parseCountTokensRequest, parseMessagesRequest } from './parse-messages-request.ts';

const base = { model: 'demo/m', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

describe('parseMessagesRequest', () => {
  test('minimal request', () => {
    assert.deepEqual(parseMessagesRequest(base).request, {
      model: 'demo/m',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [],
      toolChoice: { type: 'auto' },
      parallelToolCalls: true,
      stop: [],
      responseFormat: { type: 'text' },
      stream: false,
      metadata: {},
      maxOutputTokens: 100,
    });
  });

  test('system blocks with cache_control, role system inside messages, params', () => {
    const { request } = parseMessagesRequest({
      ...base,
      system: [
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be terse.' },
      ],
      messages: [
        { role: 'system', content: 'Leading rule.' },
        { role: 'user', content: 'hi' },
        { role: 'system', content: [{ type: 'text', text: 'Mid rule.' }] },
      ],
      stop_sequences: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      top_k: 5,
      metadata: { user_id: 'u1' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      stream: true,
      context_management: { edits: [] },
    });
    assert.equal(request.system, 'You are Claude Code.\n\nBe terse.\n\nLeading rule.');
    assert.deepEqual(request.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', content: [{ type: 'text', text: 'Mid rule.' }] },
    ]);
    assert.deepEqual(request.stop, ['END']);
    assert.equal(request.temperature, 0.3);
    assert.equal(request.topP, 0.8);
    assert.deepEqual(request.metadata, { user_id: 'u1' });
    assert.deepEqual(request.reasoning, { enabled: true, budgetTokens: 2048 });
    assert.equal(request.stream, true);
  });

  test('thinking variants', () => {
    const reasoning = (thinking: unknown) => parseMessagesRequest({ ...base, thinking }).request.reasoning;
    assert.deepEqual(reasoning({ type: 'disabled' }), { enabled: false });
    assert.deepEqual(reasoning({ type: 'adaptive' }), { enabled: true });
  });

  test('image, document and tool round trip with thinking signatures', () => {
    const { request } = parseMessagesRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              title: 'a.pdf',
            },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
            { type: 'text', text: 'weather?' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'need tool', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: 'sunny' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              ],
              cache_control: { type: 'ephemeral' },
            },
            { type: 'tool_result', tool_use_id: 'toolu_x', content: 'boom', is_error: true },
            { type: 'text', text: 'and tomorrow?' },
          ],
        },
      ],
    });
    const png = new Uint8Array(Buffer.from('iVBORw0KGgo=', 'base64'));
    assert.deepEqual(request.messages, [
      {
        role: 'user',
        content: [
          { type: 'image', data: png, mediaType: 'image/png' },
          { type: 'image', url: 'https://example.com/a.png' },
          {
            type: 'file',
            data: new Uint8Array(Buffer.from('JVBERi0=', 'base64')),
            mediaType: 'application/pdf',
            filename: 'a.pdf',
          },
          { type: 'file', data: new TextEncoder().encode('notes'), mediaType: 'text/plain' },
          { type: 'text', text: 'weather?' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'need tool', signature: 'sig' },
          { type: 'text', text: 'Checking.' },
          {
            type: 'tool-call',
            id: 'toolu_1',
            name: 'get_weather',
            arguments: '{"city":"Paris"}',
            kind: 'function',
          },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'toolu_1',
            name: 'get_weather',
            content: 'sunny',
            isError: false,
          },
          { type: 'image', data: png, mediaType: 'image/png' },
          { type: 'tool-result', toolCallId: 'toolu_x', content: 'boom', isError: true },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] },
    ]);
  });

  test('tools: custom tools kept, server tools ignored; tool_choice forms', () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'w',
        input_schema: { type: 'object' },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'custom', name: 'other', input_schema: { type: 'object' } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
    ];
    const parse = (tool_choice: unknown) => parseMessagesRequest({ ...base, tools, tool_choice }).request;
    const request = parse({ type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(request.tools, [
      { name: 'get_weather', kind: 'function', parameters: { type: 'object' }, description: 'w' },
      { name: 'other', kind: 'function', parameters: { type: 'object' } },
    ]);
    assert.deepEqual(request.toolChoice, { type: 'auto' });
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(parse({ type: 'any' }).toolChoice, { type: 'required' });
    assert.deepEqual(parse({ type: 'none' }).toolChoice, { type: 'none' });
    assert.deepEqual(parse({ type: 'tool', name: 'other' }).toolChoice, { type: 'tool', name: 'other' });
  });

  test('count_tokens: max_tokens optional, never streamed', () => {
    const { request } = parseCountTokensRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    assert.equal(request.maxOutputTokens, undefined);
    assert.equal(request.stream, false);
  });

  const bad: { name: string; body: unknown; param: string | undefined; count?: boolean }[] = [
    { name: 'missing max_tokens', body: { model: 'm', messages: base.messages }, param: 'max_tokens' },
    { name: 'max_tokens wrong type', body: { ...base, max_tokens: '10' }, param: 'max_tokens' },
    { name: 'missing model', body: { max_tokens: 5, messages: base.messages }, param: 'model' },
    { name: 'empty messages', body: { ...base, messages: [] }, param: 'messages' },
    {
      name: 'empty messages (count_tokens)',
      body: { model: 'm', messages: [] },
      param: 'messages',
      count: true,
    },
    {
      name: 'unknown role',
      body: { ...base, messages: [{ role: 'tool', content: 'x' }] },
      param: 'messages[0].role',
    },
    {
      name: 'content wrong type',
      body: { ...base, messages: [{ role: 'user', content: 1 }] },
      param: 'messages[0].content',
    },
    {
      name: 'text block without text',
      body: { ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      param: 'messages[0].content[0].text',
    },
    {
      name: 'bad base64 image',
      body: {
        ...base,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '%%%' } }],
          },
        ],
      },
      param: 'messages[0].content[0].source.data',
    },
    {
      name: 'tool_result without tool_use_id',
      body: { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      param: 'messages[0].content[0].tool_use_id',
    },
    {
      name: 'custom tool without input_schema',
      body: { ...base, tools: [{ name: 'f' }] },
      param: 'tools[0].input_schema',
    },
    {
      name: 'tool_choice unknown tool',
      body: { ...base, tool_choice: { type: 'tool', name: 'zz' } },
      param: 'tool_choice.name',
    },
    {
      name: 'thinking without budget',
      body: { ...base, thinking: { type: 'enabled' } },
      param: 'thinking.budget_tokens',
    },
    { name: 'temperature above 1', body: { ...base, temperature: 1.5 }, param: 'temperature' },
  ];
  for (const c of bad) {
    test(`400: ${c.name}`, () => {
      assert.throws(
        () => (c.count ? parseCountTokensRequest(c.body) : parseMessagesRequest(c.body)),
        (error: unknown) => {
          assert.ok(error instanceof GatewayError);
          assert.equal(error.status, 400);
          assert.equal(error.param, c.param);
          return true;
        },
      );
    });
  }
});
