import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { CORPUS_TOOLS } from './__fixtures__/replies.ts';
import { createToolEventTransformer, type ToolEventTransformer } from './tool-event-transformer.ts';
import { planToolUse, type ToolPlan } from './tool-plan.ts';
import type { ToolDefinition } from '../../core/chat-request.ts';

const emulated: ToolPlan = { mode: 'emulated', instructions: '…', forced: false, parallel: true };
const native: ToolPlan = { mode: 'native', nativeTools: CORPUS_TOOLS, forced: false, parallel: true };
const none: ToolPlan = { mode: 'none', forced: false, parallel: true };

function counter(): () => string {
  let n = 0;
  return () => `call_${++n}`;
}

function feed(transformer: ToolEventTransformer, events: SiteEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (const event of events) out.push(...transformer.push(event));
  out.push(...transformer.end());
  return out;
}

const weatherCall = '<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>';

describe('createToolEventTransformer', () => {
  test('emulated: text goes through the parser; finish becomes tool-calls; no finish/usage emitted', () => {
    const t = createToolEventTransformer(emulated, CORPUS_TOOLS, { newId: counter() });
    const out = feed(t, [
      { type: 'thread', threadId: 't1' },
      { type: 'reasoning', delta: 'thinking…' },
      { type: 'text', delta: 'Checking. <tool_' },
      { type: 'text', delta: 'call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>' },
      { type: 'finish', reason: 'stop' },
    ]);
    assert.deepEqual(out, [
      { type: 'reasoning-delta', text: 'thinking…' },
      { type: 'text-delta', text: 'Checking. ' },
      { type: 'tool-call-start', id: 'call_1', name: 'get_weather', kind: 'function' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"city":"Paris"}' },
      { type: 'tool-call-end', id: 'call_1' },
    ]);
    assert.equal(t.finishReason, 'tool-calls');
    assert.equal(t.callCount, 1);
    assert.equal(t.validCallCount, 1);
    assert.equal(t.needsRetry, false);
  });

  test('none and native modes pass text straight through, tags included', () => {
    for (const plan of [none, native]) {
      const t = createToolEventTransformer(plan, CORPUS_TOOLS);
      assert.deepEqual(t.push({ type: 'text', delta: weatherCall }), [
        { type: 'text-delta', text: weatherCall },
      ]);
      t.end();
      assert.equal(t.finishReason, 'stop');
    }
  });

  test('native calls keep the site id, are normalised and validated', () => {
    const t = createToolEventTransformer(native, CORPUS_TOOLS, { newId: counter() });
    const out = feed(t, [
      { type: 'tool-call', id: 'site_7', name: 'get_weather', arguments: '{"city": "Paris",}' },
      { type: 'tool-call', id: '', name: 'get_weather', arguments: '{"city": 1}' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    assert.deepEqual(out, [
      { type: 'tool-call-start', id: 'site_7', name: 'get_weather', kind: 'function' },
      { type: 'tool-call-delta', id: 'site_7', argumentsDelta: '{"city":"Paris"}' },
      { type: 'tool-call-end', id: 'site_7' },
      { type: 'tool-call-start', id: 'call_1', name: 'get_weather', kind: 'function' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"city":1}' },
      { type: 'tool-call-end', id: 'call_1' },
    ]);
    assert.equal(t.callCount, 2);
    assert.equal(t.validCallCount, 1);
    assert.deepEqual(
      t.problems.map((problem) => problem.kind),
      ['invalid-arguments'],
    );
    assert.equal(t.finishReason, 'tool-calls');
  });

  test('native: unknown tools dropped; parallel false keeps the first call', () => {
    const t = createToolEventTransformer({ ...native, parallel: false }, CORPUS_TOOLS, { newId: counter() });
    const out = feed(t, [
      { type: 'tool-call', id: 'a', name: 'nope', arguments: '{}' },
      { type: 'tool-call', id: 'b', name: 'read_file', arguments: '{"path":"x"}' },
      { type: 'tool-call', id: 'c', name: 'read_file', arguments: '{"path":"y"}' },
    ]);
    assert.deepEqual(
      out
        .filter((event) => event.type === 'tool-call-start')
        .map((event) => event.type === 'tool-call-start' && event.id),
      ['b'],
    );
    assert.deepEqual(
      t.problems.map((problem) => problem.kind),
      ['unknown-tool', 'extra-call'],
    );
  });

  test('finish reasons without calls', () => {
    const cases: Array<['stop' | 'length' | 'tool-calls' | undefined, string]> = [
      ['stop', 'stop'],
      ['length', 'length'],
      ['tool-calls', 'stop'],
      [undefined, 'stop'],
    ];
    for (const [site, expected] of cases) {
      const t = createToolEventTransformer(emulated, CORPUS_TOOLS);
      feed(t, site === undefined ? [{ type: 'text', delta: 'hi' }] : [{ type: 'finish', reason: site }]);
      assert.equal(t.finishReason, expected, `site ${site}`);
    }
  });

  test('length finish inside an unclosed call: no call, raw text, length', () => {
    const t = createToolEventTransformer(emulated, CORPUS_TOOLS);
    const out = feed(t, [
      { type: 'text', delta: '<tool_call>{"name":"read_file","arguments":{"path":"a' },
      { type: 'finish', reason: 'length' },
    ]);
    assert.deepEqual(out, [
      { type: 'text-delta', text: '<tool_call>{"name":"read_file","arguments":{"path":"a' },
    ]);
    assert.equal(t.finishReason, 'length');
  });

  test('forced: narration needs a retry; a named choice counts only that tool as valid', () => {
    const forced: ToolPlan = { ...emulated, forced: true };
    const narrated = createToolEventTransformer(forced, CORPUS_TOOLS);
    feed(narrated, [{ type: 'text', delta: 'I will call get_weather for Paris.' }]);
    assert.equal(narrated.needsRetry, true);
    assert.deepEqual(narrated.narratedToolNames, ['get_weather']);

    const named: ToolPlan = { ...emulated, forced: true, forcedToolName: 'read_file' };
    const wrong = createToolEventTransformer(named, CORPUS_TOOLS);
    feed(wrong, [{ type: 'text', delta: weatherCall }]);
    assert.equal(wrong.callCount, 1);
    assert.equal(wrong.validCallCount, 0);
    assert.equal(wrong.needsRetry, true);
    assert.deepEqual(
      wrong.problems.map((problem) => problem.kind),
      ['wrong-tool'],
    );
  });

  test('parallel option overrides the plan', () => {
    const t = createToolEventTransformer(emulated, CORPUS_TOOLS, { parallel: false });
    feed(t, [{ type: 'text', delta: weatherCall + weatherCall }]);
    assert.equal(t.callCount, 1);
  });
});

describe('custom tools on sites with native function calling', () => {
  const applyPatch: ToolDefinition = { name: 'apply_patch', kind: 'custom', description: 'Apply a patch' };
  const caps = {
    vision: false,
    files: false,
    nativeTools: true,
    reasoning: false,
    systemPrompt: true,
    maxInputChars: 100_000,
  };
  const request = {
    model: 'm',
    messages: [],
    tools: [applyPatch],
    toolChoice: { type: 'auto' as const },
    parallelToolCalls: true,
    stop: [],
    responseFormat: { type: 'text' as const },
    stream: false,
    metadata: {},
  };

  test('go to the site as a function taking one string', () => {
    const plan = planToolUse(request, caps);
    assert.deepEqual(plan.nativeTools?.[0]?.parameters, {
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input for the tool.' } },
      required: ['input'],
    });
  });

  test("come back as the raw text, not the site's JSON wrapper", () => {
    const plan = planToolUse(request, caps);
    const transformer = createToolEventTransformer(plan, [applyPatch]);
    const events = transformer.push({
      type: 'tool-call',
      id: 'c1',
      name: 'apply_patch',
      arguments: JSON.stringify({ input: '*** Begin Patch\n*** End Patch' }),
    });
    assert.deepEqual(events, [
      { type: 'tool-call-start', id: 'c1', name: 'apply_patch', kind: 'custom' },
      { type: 'tool-call-delta', id: 'c1', argumentsDelta: '*** Begin Patch\n*** End Patch' },
      { type: 'tool-call-end', id: 'c1' },
    ]);
  });
});
