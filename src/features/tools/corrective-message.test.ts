import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest } from '../../core/chat-request.ts';
import { CORPUS_TOOLS } from './__fixtures__/replies.ts';
import { correctiveMessage, requiredCallFailure } from './corrective-message.ts';
import type { ToolPlan } from './tool-plan.ts';

const request: ChatRequest = {
  model: 'demo/text-1',
  messages: [],
  tools: CORPUS_TOOLS,
  toolChoice: { type: 'required' },
  parallelToolCalls: true,
  stop: [],
  responseFormat: { type: 'text' },
  stream: false,
  metadata: {},
};

describe('correctiveMessage', () => {
  test('required: format line and tool names', () => {
    const plan: ToolPlan = { mode: 'emulated', instructions: '…', forced: true, parallel: true };
    const text = correctiveMessage(plan, CORPUS_TOOLS, request);
    assert.match(text, /requires at least one tool call/);
    assert.ok(text.includes('<tool_call>{"name": "TOOL_NAME", "arguments": {ARGUMENTS}}</tool_call>'));
    assert.ok(text.includes('Available tools: get_weather, search_web, read_file, send_email, apply_patch'));
  });

  test('named: the tool, its schema, and what went wrong', () => {
    const plan: ToolPlan = { mode: 'emulated', forced: true, forcedToolName: 'get_weather', parallel: true };
    const text = correctiveMessage(plan, CORPUS_TOOLS, request, {
      problems: [
        {
          kind: 'invalid-arguments',
          name: 'get_weather',
          detail: 'arguments must have required property city',
        },
      ],
      narratedToolNames: ['get_weather'],
    });
    assert.match(text, /valid call to the tool "get_weather"/);
    assert.match(text, /do not match its schema: arguments must have required property city/);
    assert.match(text, /described a call in words/);
    assert.ok(text.includes('<tool_call>{"name": "get_weather", "arguments": {ARGUMENTS}}</tool_call>'));
    assert.ok(text.includes('"required":["city"]'));
  });

  test('native: no format lesson', () => {
    const plan: ToolPlan = { mode: 'native', forced: true, forcedToolName: 'read_file', parallel: true };
    const text = correctiveMessage(plan, CORPUS_TOOLS, request);
    assert.ok(!text.includes('<tool_call>'));
    assert.match(text, /Call "read_file" now/);
  });
});

describe('requiredCallFailure (the caller-facing error)', () => {
  const cases: Array<[string, Parameters<typeof requiredCallFailure>[0], string]> = [
    [
      'no call at all',
      { problems: [], narratedToolNames: [] },
      'the model did not make the required tool call',
    ],
    [
      'a call described in words',
      { problems: [], narratedToolNames: ['read_file'] },
      'the model described a call to "read_file" in words instead of making the required tool call',
    ],
    [
      'invalid arguments name the tool and the schema error',
      {
        problems: [
          {
            kind: 'invalid-arguments',
            name: 'read_file',
            detail: "arguments must have required property 'path'",
          },
        ],
        narratedToolNames: [],
      },
      `the model called "read_file" with arguments that do not match its schema: arguments must have required property 'path'`,
    ],
    [
      'an unknown tool',
      { problems: [{ kind: 'unknown-tool', name: 'rm_rf', detail: '' }], narratedToolNames: [] },
      `the model called "rm_rf", which is not one of the request's tools`,
    ],
    [
      'the wrong tool',
      { problems: [{ kind: 'wrong-tool', name: 'grep', detail: '' }], narratedToolNames: [] },
      'the model called "grep" instead of the required tool',
    ],
  ];
  for (const [name, feedback, expected] of cases) {
    test(name, () => assert.equal(requiredCallFailure(feedback), expected));
  }
});
