import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatMessage } from '../../core/chat-request.ts';
import { type FlattenInput, flattenHistory, renderNewTurn } from './flatten-history.ts';

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });
const cat = new Uint8Array([1, 2, 3]);

interface Case {
  name: string;
  input: FlattenInput;
  text: string;
  systemPrompt?: string;
  attachments?: number;
}

const cases: Case[] = [
  {
    name: 'a single user message is sent as written',
    input: { messages: [user('Hello there')], nativeSystemPrompt: false },
    text: 'Hello there',
  },
  {
    name: 'system prompt as preamble when the model has no system field',
    input: { system: 'Be terse.', messages: [user('Hello')], nativeSystemPrompt: false },
    text: '[System instructions]\nBe terse.\n[End of system instructions]\n\nHello',
  },
  {
    name: 'system prompt through the native field',
    input: { system: 'Be terse.', messages: [user('Hello')], nativeSystemPrompt: true },
    text: 'Hello',
    systemPrompt: 'Be terse.',
  },
  {
    name: 'prior turns with roles, tool calls, results and media references',
    input: {
      system: 'Be terse.',
      nativeSystemPrompt: false,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', data: cat, filename: 'cat.png', mediaType: 'image/png' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'hidden thoughts' },
            { type: 'text', text: 'A cat. Let me check the weather.' },
            { type: 'tool-call', id: 'c1', name: 'weather', kind: 'function', arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: 'tool',
          content: [{ type: 'tool-result', toolCallId: 'c1', content: '18°C', isError: false }],
        },
        assistant('It is 18°C.\nNice.'),
        user('Thanks! And tomorrow?'),
      ],
    },
    text: [
      '[System instructions]',
      'Be terse.',
      '[End of system instructions]',
      '',
      '[Conversation so far]',
      'User: What is this?',
      '[image: cat.png, sha256 039058c6f2c0]',
      'Assistant: A cat. Let me check the weather.',
      '[tool call weather id=c1] {"city":"Paris"}',
      'Tool: [tool result id=c1] 18°C',
      'Assistant: It is 18°C.\nNice.',
      '[End of conversation so far — reply to the message below]',
      '',
      'Thanks! And tomorrow?',
    ].join('\n'),
  },
  {
    name: 'omitted turns are announced',
    input: { messages: [user('a'), assistant('b'), user('c')], nativeSystemPrompt: true, omittedTurns: 3 },
    text: [
      '[Conversation so far]',
      '[3 earlier turns omitted]',
      'User: a',
      'Assistant: b',
      '[End of conversation so far — reply to the message below]',
      '',
      'c',
    ].join('\n'),
  },
  {
    name: 'media of the current turn become attachments, not references',
    input: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image', data: cat },
          ],
        },
      ],
      nativeSystemPrompt: false,
    },
    text: 'Describe',
    attachments: 1,
  },
  {
    name: 'remote and unnamed media references',
    input: {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', url: 'https://x.example/a.pdf', filename: 'a.pdf' },
            { type: 'image', url: 'data:image/png;base64,AAAA' },
          ],
        },
        assistant('ok'),
        user('next'),
      ],
      nativeSystemPrompt: false,
    },
    text: [
      '[Conversation so far]',
      'User: [file: a.pdf, https://x.example/a.pdf]',
      '[image: unnamed]',
      'Assistant: ok',
      '[End of conversation so far — reply to the message below]',
      '',
      'next',
    ].join('\n'),
  },
  {
    name: 'custom tool renderers are used',
    input: {
      messages: [
        user('go'),
        {
          role: 'assistant',
          content: [{ type: 'tool-call', id: 'c9', name: 'run', kind: 'custom', arguments: 'ls' }],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c9', content: 'a b', isError: true }] },
      ],
      nativeSystemPrompt: false,
      renderers: {
        renderToolCall: (p) => `<call ${p.name}>${p.arguments}</call>`,
        renderToolResult: (p) => `<result error=${p.isError}>${p.content}</result>`,
      },
    },
    text: [
      '[Conversation so far]',
      'User: go',
      'Assistant: <call run>ls</call>',
      '[End of conversation so far — reply to the message below]',
      '',
      '<result error=true>a b</result>',
    ].join('\n'),
  },
];

describe('flattenHistory', () => {
  for (const c of cases) {
    test(c.name, () => {
      const out = flattenHistory(c.input);
      assert.equal(out.text, c.text);
      assert.equal(out.systemPrompt, c.systemPrompt);
      assert.equal(out.attachments.length, c.attachments ?? 0);
    });
  }
});

describe('renderNewTurn', () => {
  test('joins several new messages and marks late system notes', () => {
    const out = renderNewTurn([
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: 'done', isError: false }] },
      { role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] },
      user('Summarize.'),
    ]);
    assert.equal(out.text, '[tool result id=c1] done\n\n[System note] Answer in French.\n\nSummarize.');
  });
});
