import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, ToolChoice, ToolDefinition } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import type { ModelCapabilities } from '../../site-contract/site.ts';
import { CORPUS_TOOLS } from './__fixtures__/replies.ts';
import { planToolUse } from './tool-plan.ts';

const textModel: ModelCapabilities = {
  vision: false,
  files: false,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 100_000,
};
const nativeModel: ModelCapabilities = { ...textModel, nativeTools: true };

function request(
  toolChoice: ToolChoice,
  tools: ToolDefinition[] = CORPUS_TOOLS,
  parallel = true,
): ChatRequest {
  return {
    model: 'demo/text-1',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    tools,
    toolChoice,
    parallelToolCalls: parallel,
    stop: [],
    responseFormat: { type: 'text' },
    stream: false,
    metadata: {},
  };
}

describe('planToolUse', () => {
  test('no tools → none', () => {
    assert.deepEqual(planToolUse(request({ type: 'auto' }, []), textModel), {
      mode: 'none',
      forced: false,
      parallel: true,
    });
  });

  test('tool_choice none hides the tools even on a native model', () => {
    const plan = planToolUse(request({ type: 'none' }), nativeModel);
    assert.equal(plan.mode, 'none');
    assert.equal(plan.instructions, undefined);
    assert.equal(plan.nativeTools, undefined);
  });

  test('native model → tools and choice passed through', () => {
    const plan = planToolUse(request({ type: 'required' }), nativeModel);
    assert.equal(plan.mode, 'native');
    // Function tools pass through as they are; custom tools become one-string functions.
    assert.deepEqual(
      plan.nativeTools?.filter((tool) => tool.kind === 'function'),
      CORPUS_TOOLS.filter((tool) => tool.kind === 'function'),
    );
    assert.deepEqual(
      plan.nativeTools?.map((tool) => tool.name),
      CORPUS_TOOLS.map((tool) => tool.name),
    );
    assert.deepEqual(plan.nativeToolChoice, { type: 'required' });
    assert.equal(plan.forced, true);
    assert.equal(plan.instructions, undefined);
  });

  test('emulated auto: the protocol with every tool, its schema, and the literal tag', () => {
    const plan = planToolUse(request({ type: 'auto' }), textModel);
    assert.equal(plan.mode, 'emulated');
    assert.equal(plan.forced, false);
    const text = plan.instructions ?? '';
    assert.ok(text.includes('<tool_call>{"name": "TOOL_NAME", "arguments": {ARGUMENTS}}</tool_call>'));
    for (const tool of CORPUS_TOOLS) assert.ok(text.includes(`## ${tool.name}`), tool.name);
    assert.ok(text.includes('"enum":["celsius","fahrenheit"]'));
    assert.ok(!text.includes('$schema'), 'draft URIs are noise for the model');
    assert.ok(
      text.includes('<tool_call name="apply_patch">INPUT</tool_call>'),
      'custom tools take free text',
    );
    assert.ok(text.includes('Call a tool only when it helps'));
    assert.ok(text.includes('one <tool_call> block per call'));
  });

  test('required and named choices are worded more strongly; a named choice lists only that tool', () => {
    const required = planToolUse(request({ type: 'required' }), textModel);
    assert.equal(required.forced, true);
    assert.ok(required.instructions?.includes('you MUST call at least one tool'));
    const named = planToolUse(request({ type: 'tool', name: 'read_file' }), textModel);
    assert.equal(named.forced, true);
    assert.equal(named.forcedToolName, 'read_file');
    assert.ok(named.instructions?.includes('you MUST call the tool "read_file"'));
    assert.ok(!named.instructions?.includes('## get_weather'));
  });

  test('parallel_tool_calls false → at most one call', () => {
    const plan = planToolUse(request({ type: 'auto' }, CORPUS_TOOLS, false), textModel);
    assert.equal(plan.parallel, false);
    assert.ok(plan.instructions?.includes('at most one tool call'));
  });

  test('a named tool that does not exist is a 400', () => {
    assert.throws(
      () => planToolUse(request({ type: 'tool', name: 'nope' }), textModel),
      (error: unknown) =>
        error instanceof GatewayError && error.kind === 'invalid_request' && error.param === 'tool_choice',
    );
  });

  test('instructions shrink to fit the budget', () => {
    const long = 'Very detailed guidance. '.repeat(200);
    const tools: ToolDefinition[] = Array.from({ length: 20 }, (_, i) => ({
      name: `tool_${i}`,
      kind: 'function',
      description: long,
      parameters: {
        type: 'object',
        properties: { arg: { type: 'string', description: long } },
        additionalProperties: false,
      },
    }));
    const full = planToolUse(request({ type: 'auto' }, tools), textModel, { maxInstructionChars: 1e9 });
    const fitted = planToolUse(request({ type: 'auto' }, tools), textModel, { maxInstructionChars: 20_000 });
    assert.ok((full.instructions?.length ?? 0) > 100_000);
    assert.ok((fitted.instructions?.length ?? 0) <= 20_000, `${fitted.instructions?.length}`);
    for (let i = 0; i < 20; i++) assert.ok(fitted.instructions?.includes(`## tool_${i}`));
  });

  test('default budget is a share of the model input cap', () => {
    const tools: ToolDefinition[] = [{ name: 'x', kind: 'function', description: 'word '.repeat(1000) }];
    const small = planToolUse(request({ type: 'auto' }, tools), { ...textModel, maxInputChars: 4000 });
    assert.ok((small.instructions?.length ?? 0) < 1600);
  });
});
