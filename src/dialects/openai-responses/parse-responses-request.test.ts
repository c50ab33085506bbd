import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { parseResponsesRequest } from './parse-responses-request.ts';

describe('parseResponsesRequest', () => {
  test('string input with defaults', () => {
    const parsed = parseResponsesRequest({ model: 'demo/m', input: 'hi' });
    assert.deepEqual(parsed.request, {
      model: 'demo/m',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [],
      toolChoice: { type: 'auto' },
      parallelToolCalls: true,
      stop: [],
      responseFormat: { type: 'text' },
      stream: false,
      metadata: {},
    });
    assert.equal(parsed.store, true);
    assert.equal(parsed.previousResponseId, undefined);
    assert.deepEqual(parsed.echo, {
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
    });
  });

  test('instructions and leading developer items become system; params map', () => {
    const parsed = parseResponsesRequest({
      model: 'm',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'Use French.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { role: 'system', content: 'Later rule.' },
      ],
      max_output_tokens: 64,
      temperature: 0.2,
      top_p: 0.5,
      stream: true,
      store: false,
      previous_response_id: 'resp_prev',
      metadata: { k: 'v' },
      user: 'bob',
      reasoning: { effort: 'high', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      include: ['reasoning.encrypted_content'],
      truncation: 'auto',
    });
    const { request } = parsed;
    assert.equal(request.system, 'Be brief.\n\nUse French.');
    assert.deepEqual(request.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', content: [{ type: 'text', text: 'Later rule.' }] },
    ]);
    assert.equal(request.maxOutputTokens, 64);
    assert.equal(request.temperature, 0.2);
    assert.equal(request.topP, 0.5);
    assert.equal(request.stream, true);
    assert.deepEqual(request.metadata, { k: 'v', user: 'bob' });
    assert.deepEqual(request.reasoning, { enabled: true, effort: 'high' });
    assert.deepEqual(request.responseFormat, {
      type: 'json_schema',
      name: 'out',
      schema: { type: 'object' },
      strict: true,
    });
    assert.equal(parsed.store, false);
    assert.equal(parsed.previousResponseId, 'resp_prev');
    assert.equal(parsed.echo.instructions, 'Be brief.');
    assert.deepEqual(parsed.echo.metadata, { k: 'v' });
    assert.equal(parsed.echo.user, 'bob');
  });

  test('a Codex-style tool loop: calls, outputs, reasoning, custom tools', () => {
    const { request } = parseResponsesRequest({
      model: 'm',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'plan' }],
          encrypted_content: 'sig',
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' },
        { type: 'custom_tool_call', call_id: 'call_2', name: 'apply_patch', input: '*** Begin' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
        {
          type: 'custom_tool_call_output',
          call_id: 'call_2',
          output: [{ type: 'input_text', text: 'done' }],
        },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
        { role: 'user', content: 'thanks' },
      ],
    });
    assert.deepEqual(request.messages, [
      { role: 'user', content: [{ type: 'text', text: 'fix it' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'plan', signature: 'sig' },
          { type: 'text', text: 'Looking.' },
          { type: 'tool-call', id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}', kind: 'function' },
          { type: 'tool-call', id: 'call_2', name: 'apply_patch', arguments: '*** Begin', kind: 'custom' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', name: 'shell', content: 'a.txt', isError: false },
          { type: 'tool-result', toolCallId: 'call_2', name: 'apply_patch', content: 'done', isError: false },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ]);
  });

  test('images and files', () => {
    const { request } = parseResponsesRequest({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/a.png' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
            { type: 'input_file', file_url: 'https://example.com/b.pdf' },
          ],
        },
      ],
    });
    assert.deepEqual(request.messages[0]?.content, [
      {
        type: 'image',
        data: new Uint8Array(Buffer.from('iVBORw0KGgo=', 'base64')),
        mediaType: 'image/png',
        detail: 'low',
        param: 'input[0].content[0]',
      },
      { type: 'image', url: 'https://example.com/a.png', param: 'input[0].content[1]' },
      {
        type: 'file',
        data: new Uint8Array(Buffer.from('JVBERi0=', 'base64')),
        mediaType: 'application/pdf',
        filename: 'a.pdf',
        param: 'input[0].content[2]',
      },
      { type: 'file', url: 'https://example.com/b.pdf', param: 'input[0].content[3]' },
    ]);
  });

  test('tools: function and custom kept, hosted tools ignored but echoed; tool_choice forms', () => {
    const tools = [
      { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: false },
      { type: 'custom', name: 'apply_patch', format: { type: 'grammar' } },
      { type: 'web_search' },
    ];
    const parsed = parseResponsesRequest({
      model: 'm',
      input: 'x',
      tools,
      tool_choice: { type: 'function', name: 'f' },
    });
    assert.deepEqual(parsed.request.tools, [
      { name: 'f', kind: 'function', description: 'd', parameters: { type: 'object' }, strict: false },
      { name: 'apply_patch', kind: 'custom' },
    ]);
    assert.deepEqual(parsed.request.toolChoice, { type: 'tool', name: 'f' });
    assert.deepEqual(parsed.echo.tools, tools);
    const choice = (tool_choice: unknown) =>
      parseResponsesRequest({ model: 'm', input: 'x', tools, tool_choice }).request.toolChoice;
    assert.deepEqual(choice('required'), { type: 'required' });
    assert.deepEqual(choice({ type: 'allowed_tools', mode: 'required', tools: [] }), { type: 'required' });
    assert.deepEqual(choice({ type: 'web_search_preview' }), { type: 'auto' });
  });

  test('empty input is allowed with previous_response_id', () => {
    const parsed = parseResponsesRequest({ model: 'm', input: [], previous_response_id: 'resp_1' });
    assert.deepEqual(parsed.request.messages, []);
  });

  const bad: { name: string; body: unknown; param: string | undefined }[] = [
    { name: 'body not an object', body: 'hi', param: undefined },
    { name: 'missing input', body: { model: 'm' }, param: 'input' },
    { name: 'input wrong type', body: { model: 'm', input: 5 }, param: 'input' },
    { name: 'empty input', body: { model: 'm', input: [] }, param: 'input' },
    {
      name: 'unknown role',
      body: { model: 'm', input: [{ role: 'robot', content: 'x' }] },
      param: 'input[0].role',
    },
    {
      name: 'function_call without arguments',
      body: { model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f' }] },
      param: 'input[0].arguments',
    },
    {
      name: 'unknown content part',
      body: { model: 'm', input: [{ role: 'user', content: [{ type: 'input_video' }] }] },
      param: 'input[0].content[0].type',
    },
    {
      name: 'bad base64 image',
      body: {
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,!!' }] }],
      },
      param: 'input[0].content[0].image_url',
    },
    {
      name: 'image by file_id',
      body: { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] },
      param: 'input[0].content[0].file_id',
    },
    {
      name: 'file without data or url',
      body: { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a' }] }] },
      param: 'input[0].content[0]',
    },
    {
      name: 'item_reference without an id',
      body: { model: 'm', input: [{ type: 'item_reference' }] },
      param: 'input[0].id',
    },
    {
      name: 'function tool without name',
      body: { model: 'm', input: 'x', tools: [{ type: 'function' }] },
      param: 'tools[0].name',
    },
    {
      name: 'tool_choice for a missing tool',
      body: { model: 'm', input: 'x', tool_choice: { type: 'function', name: 'zz' } },
      param: 'tool_choice',
    },
    {
      name: 'max_output_tokens wrong type',
      body: { model: 'm', input: 'x', max_output_tokens: 'ten' },
      param: 'max_output_tokens',
    },
    {
      name: 'bad text format',
      body: { model: 'm', input: 'x', text: { format: { type: 'xml' } } },
      param: 'text.format.type',
    },
  ];
  for (const c of bad) {
    test(`400: ${c.name}`, () => {
      assert.throws(
        () => parseResponsesRequest(c.body),
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

describe('tools in namespaces and additional_tools items (Codex)', () => {
  test('are flattened into the tool list', () => {
    const parsed = parseResponsesRequest({
      model: 'm',
      tools: [
        {
          type: 'namespace',
          name: 'multi_agent',
          tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object' } }],
        },
      ],
      input: [
        {
          type: 'additional_tools',
          role: 'developer',
          tools: [
            {
              type: 'namespace',
              name: 'functions',
              description: '',
              tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
            },
            { type: 'custom', name: 'apply_patch', description: 'Edit files' },
          ],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      ],
    });
    assert.deepEqual(
      parsed.request.tools.map((tool) => `${tool.kind}:${tool.name}`),
      ['function:spawn_agent', 'function:get_weather', 'custom:apply_patch'],
    );
    assert.equal(parsed.request.messages.length, 1);
  });
});
