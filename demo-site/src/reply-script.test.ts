import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelId } from './models.ts';
import {
  findInstruction,
  headerLine,
  type ReplyInput,
  scriptReply,
  sha256Hex,
  splitDeltas,
} from './reply-script.ts';

function input(overrides: Partial<ReplyInput> = {}): ReplyInput {
  return {
    model: 'text-1',
    turn: 1,
    attachmentSha256: [],
    text: 'hello',
    systemPrompt: null,
    history: [],
    tools: [],
    toolResults: [],
    fastChunks: 200,
    ...overrides,
  };
}

/** The answer after the first line and the blank line. */
function body(overrides: Partial<ReplyInput>): string {
  const text = scriptReply(input(overrides)).text.join('');
  const cut = text.indexOf('\n\n');
  return cut === -1 ? '' : text.slice(cut + 2);
}

describe('reply script: first line', () => {
  test('names model, turn, attachments, chars, digest and system prompt', () => {
    const sha = 'a'.repeat(64);
    const line = headerLine(
      input({
        model: 'vision-1',
        turn: 3,
        attachmentSha256: [sha, sha],
        text: 'hi there',
        systemPrompt: 'be brief',
      }),
    );
    assert.equal(
      line,
      `[vision-1] turn=3 attachments=2 sha256=${sha},${sha} chars=8 ` +
        `digest=${sha256Hex('hi there').slice(0, 12)} system=${sha256Hex('be brief').slice(0, 12)}`,
    );
  });

  test('dashes for no attachments and no system prompt; empty system prompt counts as none', () => {
    assert.match(
      headerLine(input({ systemPrompt: '' })),
      / attachments=0 sha256=- chars=5 digest=[0-9a-f]{12} system=-$/,
    );
  });

  test('the digest covers the exact text, whitespace included', () => {
    assert.notEqual(headerLine(input({ text: 'hello' })), headerLine(input({ text: 'hello ' })));
  });

  test('every answer starts with the first line, then a blank line', () => {
    for (const model of ['text-1', 'vision-1', 'reasoning-1', 'tools-1', 'slow-1', 'fast-1'] as ModelId[]) {
      const text = scriptReply(input({ model })).text.join('');
      assert.ok(text.startsWith(`${headerLine(input({ model }))}\n\n`), model);
    }
  });
});

describe('reply script: scripted part', () => {
  const cases: Array<[string, Partial<ReplyInput>, string]> = [
    ['repeat', { text: 'please repeat pong 3 times' }, 'pong pong pong'],
    ['reply with the word', { text: 'Reply with the word "banana".' }, 'banana'],
    ['say', { text: 'Say hello world' }, 'hello world'],
    ['reply in json', { text: 'reply in JSON please', turn: 4 }, '{"ok":true,"turn":4,"model":"text-1"}'],
    ['count', { text: 'count to 5' }, '1 2 3 4 5'],
    ['remember', { text: 'remember kiwi' }, 'OK, I will remember kiwi.'],
    [
      'recall from history',
      { text: 'What did I ask you to remember?', history: ['remember kiwi', 'hello'] },
      'You asked me to remember kiwi.',
    ],
    [
      'recall with nothing',
      { text: 'what did I ask you to remember' },
      'You did not ask me to remember anything.',
    ],
    ['fallback', { text: 'just chatting' }, 'You said: just chatting'],
    ['fallback truncates at 200 chars', { text: 'x'.repeat(300) }, `You said: ${'x'.repeat(200)}`],
    ['the last instruction line wins', { text: 'User: count to 3\nUser: say done' }, 'done'],
    ['rule order decides within a line', { text: 'count to 2 and repeat a 2 times' }, 'a a'],
  ];
  for (const [name, overrides, expected] of cases) {
    test(name, () => assert.equal(body(overrides), expected));
  }

  test('maxTokens caps the scripted part (never the first line) with finish reason length', () => {
    const reply = scriptReply(input({ text: 'count to 10', maxTokens: 3 }));
    assert.equal(reply.finishReason, 'length');
    assert.ok(reply.text.join('').endsWith('\n\n1 2 3'));
    assert.equal(scriptReply(input({ text: 'count to 3', maxTokens: 3 })).finishReason, 'stop');
  });
});

describe('reply script: tools', () => {
  const weather = { name: 'get_weather', parameters: { type: 'object' } };

  test('tools-1 answers `call tool` with a structured call and only the first line as text', () => {
    const reply = scriptReply(
      input({
        model: 'tools-1',
        text: 'call tool get_weather with {"city": "Paris", "days": 2}',
        tools: [weather],
      }),
    );
    assert.deepEqual(reply.toolCalls, [{ name: 'get_weather', arguments: '{"city":"Paris","days":2}' }]);
    assert.equal(reply.finishReason, 'tool_calls');
    assert.equal(
      reply.text.join(''),
      headerLine(
        input({ model: 'tools-1', text: 'call tool get_weather with {"city": "Paris", "days": 2}' }),
      ),
    );
  });

  test('several calls on one line become parallel calls; nested JSON is scanned correctly', () => {
    const text = 'call tool a with {"x":{"y":"}"}} and call tool b with {}';
    const reply = scriptReply(input({ model: 'tools-1', text, tools: [{ name: 'a' }, { name: 'b' }] }));
    assert.deepEqual(reply.toolCalls, [
      { name: 'a', arguments: '{"x":{"y":"}"}}' },
      { name: 'b', arguments: '{}' },
    ]);
  });

  test('tools-1 describes the call in text when the tool is unknown, the JSON is bad, or toolChoice is none', () => {
    assert.equal(
      body({ model: 'tools-1', text: 'call tool nope with {}', tools: [weather] }),
      'I cannot call tool nope: it is not in the tools list.',
    );
    assert.match(
      body({ model: 'tools-1', text: 'call tool get_weather with {oops', tools: [weather] }),
      /not a JSON object/,
    );
    assert.match(
      body({ model: 'tools-1', text: 'call tool get_weather with {}', tools: [weather], toolChoice: 'none' }),
      /disabled/,
    );
  });

  test('tools-1 with toolResults reports each result', () => {
    const reply = scriptReply(
      input({
        model: 'tools-1',
        text: '',
        tools: [weather],
        toolResults: [{ toolCallId: 'c1', name: 'get_weather', content: '{"temp":21}' }],
      }),
    );
    assert.equal(reply.finishReason, 'stop');
    assert.ok(reply.text.join('').endsWith('\n\nTool get_weather returned: {"temp":21}'));
  });

  test('toolChoice required / named forces a call with empty arguments', () => {
    assert.deepEqual(
      scriptReply(input({ model: 'tools-1', tools: [weather], toolChoice: 'required' })).toolCalls,
      [{ name: 'get_weather', arguments: '{}' }],
    );
    assert.deepEqual(
      scriptReply(input({ model: 'tools-1', tools: [weather, { name: 'b' }], toolChoice: { name: 'b' } }))
        .toolCalls,
      [{ name: 'b', arguments: '{}' }],
    );
  });

  test('text models follow a tool protocol written in the prompt', () => {
    const text =
      'Tools: answer with <tool_call>{"name":…,"arguments":…}</tool_call>.\ncall tool lookup with { "q" : "x y" }';
    assert.equal(body({ text }), '<tool_call>{"name":"lookup","arguments":{"q":"x y"}}</tool_call>');
    assert.equal(
      body({ text: 'call tool lookup with {"q":1}', systemPrompt: 'Use <tool_call> tags.' }),
      '<tool_call>{"name":"lookup","arguments":{"q":1}}</tool_call>',
    );
  });

  test('text models without a protocol only describe the call', () => {
    assert.equal(
      body({ text: 'call tool lookup with {"q":1}' }),
      'I would call tool lookup with {"q":1}, but no tools are available.',
    );
  });

  test('instructions inside tool-call JSON are not instructions', () => {
    assert.deepEqual(findInstruction('call tool a with {\n"text": "say hi"\n}'), {
      kind: 'tool',
      calls: [{ name: 'a', args: { text: 'say hi' }, raw: '{\n"text": "say hi"\n}' }],
    });
  });
});

describe('reply script: model behaviours', () => {
  test('reasoning-1 thinks first, about the turn', () => {
    const reply = scriptReply(input({ model: 'reasoning-1', turn: 2 }));
    assert.match(reply.thinking.join(''), /^Thinking about turn 2: /);
    assert.equal(scriptReply(input()).thinking.length, 0);
  });

  test('slow-1 pads its plain answer to about 40 words', () => {
    const words = body({ model: 'slow-1', text: 'hi' }).split(/\s+/).length;
    assert.ok(words >= 38 && words <= 50, String(words));
    assert.equal(body({ model: 'slow-1', text: 'say exactly this' }), 'exactly this');
  });

  test('fast-1 streams exactly fastChunks text chunks', () => {
    assert.equal(scriptReply(input({ model: 'fast-1', fastChunks: 200 })).text.length, 200);
    assert.equal(scriptReply(input({ model: 'fast-1', fastChunks: 25, text: 'a b c' })).text.length, 25);
  });

  test('deltas join back to the exact text', () => {
    const text = '  lead\n\nmid  dle\tend ';
    assert.equal(splitDeltas(text).join(''), text);
    assert.deepEqual(splitDeltas(''), []);
  });
});
