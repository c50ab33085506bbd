import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatMessage, ToolDefinition } from '../../core/chat-request.ts';
import { hashTranscript, type Transcript, type TranscriptScope } from './hash-transcript.ts';

const scope: TranscriptScope = { keyId: 'key-1', siteId: 'demo', model: 'fast' };
const weather: ToolDefinition = {
  name: 'weather',
  kind: 'function',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};
const clock: ToolDefinition = { name: 'clock', kind: 'function' };
const png = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });

const base: Transcript = {
  system: 'Be terse.',
  tools: [weather, clock],
  messages: [user('hi'), assistant('hello')],
};

interface Case {
  name: string;
  a: Transcript;
  b: Transcript;
  scopeB?: TranscriptScope;
}

const same: Case[] = [
  { name: 'identical transcripts', a: base, b: { ...base } },
  { name: 'tools in another order', a: base, b: { ...base, tools: [clock, weather] } },
  { name: 'system prompt with edge whitespace', a: base, b: { ...base, system: '  Be terse.\n' } },
  { name: 'missing and empty system prompt', a: { ...base, system: undefined }, b: { ...base, system: '' } },
  {
    name: 'text split into parts',
    a: base,
    b: {
      ...base,
      messages: [
        user('hi'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'hel' },
            { type: 'text', text: 'lo' },
          ],
        },
      ],
    },
  },
  {
    name: 'answer trimmed by the client',
    a: { ...base, messages: [user('hi'), assistant('hello\n')] },
    b: base,
  },
  {
    name: 'reasoning dropped by the client',
    a: {
      ...base,
      messages: [
        user('hi'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'think', signature: 'sig' },
            { type: 'text', text: 'hello' },
          ],
        },
      ],
    },
    b: base,
  },
  {
    name: 'tool-call arguments re-serialized',
    a: {
      ...base,
      messages: [
        user('weather?'),
        {
          role: 'assistant',
          content: [
            {
              type: 'tool-call',
              id: 'c1',
              name: 'weather',
              kind: 'function',
              arguments: '{"city":"Paris","u":1}',
            },
          ],
        },
      ],
    },
    b: {
      ...base,
      messages: [
        user('weather?'),
        {
          role: 'assistant',
          content: [
            {
              type: 'tool-call',
              id: 'c1',
              name: 'weather',
              kind: 'function',
              arguments: '{ "u": 1, "city": "Paris" }',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'answer split over two assistant messages (Responses items)',
    a: {
      ...base,
      messages: [
        user('weather?'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'c1', name: 'weather', kind: 'function', arguments: '{}' },
          ],
        },
      ],
    },
    b: {
      ...base,
      messages: [
        user('weather?'),
        assistant('Checking.'),
        {
          role: 'assistant',
          content: [{ type: 'tool-call', id: 'c1', name: 'weather', kind: 'function', arguments: '{}' }],
        },
      ],
    },
  },
  {
    name: 'tool-result name present or not',
    a: {
      ...base,
      messages: [
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'c1', name: 'weather', content: 'sun', isError: false },
          ],
        },
      ],
    },
    b: {
      ...base,
      messages: [
        {
          role: 'tool',
          content: [{ type: 'tool-result', toolCallId: 'c1', content: 'sun', isError: false }],
        },
      ],
    },
  },
  {
    name: 'image as bytes or as the same data URL',
    a: {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image', data: png, mediaType: 'image/png' }] }],
    },
    b: {
      ...base,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', url: `data:image/png;base64,${Buffer.from(png).toString('base64')}` }],
        },
      ],
    },
  },
];

const different: Case[] = [
  { name: 'another key', a: base, b: base, scopeB: { ...scope, keyId: 'key-2' } },
  { name: 'another site', a: base, b: base, scopeB: { ...scope, siteId: 'other' } },
  { name: 'another model', a: base, b: base, scopeB: { ...scope, model: 'smart' } },
  { name: 'changed system prompt', a: base, b: { ...base, system: 'Be verbose.' } },
  { name: 'a tool removed', a: base, b: { ...base, tools: [weather] } },
  {
    name: 'a tool schema changed',
    a: base,
    b: { ...base, tools: [clock, { ...weather, parameters: { type: 'object' } }] },
  },
  { name: 'edited user turn', a: base, b: { ...base, messages: [user('hey'), assistant('hello')] } },
  { name: 'another answer', a: base, b: { ...base, messages: [user('hi'), assistant('hello!')] } },
  { name: 'one turn more', a: base, b: { ...base, messages: [...base.messages, user('more')] } },
  {
    name: 'roles swapped',
    a: base,
    b: { ...base, messages: [assistant('hi'), user('hello')] },
  },
  {
    name: 'different image bytes',
    a: { ...base, messages: [{ role: 'user', content: [{ type: 'image', data: png }] }] },
    b: { ...base, messages: [{ role: 'user', content: [{ type: 'image', data: new Uint8Array([1]) }] }] },
  },
  {
    name: 'image versus file with the same bytes',
    a: { ...base, messages: [{ role: 'user', content: [{ type: 'image', data: png }] }] },
    b: { ...base, messages: [{ role: 'user', content: [{ type: 'file', data: png }] }] },
  },
  {
    name: 'different remote URLs',
    a: {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image', url: 'https://a.example/x.png' }] }],
    },
    b: {
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image', url: 'https://a.example/y.png' }] }],
    },
  },
  {
    name: 'tool result error flag',
    a: {
      ...base,
      messages: [
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: 'x', isError: false }] },
      ],
    },
    b: {
      ...base,
      messages: [
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: 'x', isError: true }] },
      ],
    },
  },
  {
    name: 'tool call id',
    a: {
      ...base,
      messages: [
        {
          role: 'assistant',
          content: [{ type: 'tool-call', id: 'c1', name: 'w', kind: 'function', arguments: '{}' }],
        },
      ],
    },
    b: {
      ...base,
      messages: [
        {
          role: 'assistant',
          content: [{ type: 'tool-call', id: 'c2', name: 'w', kind: 'function', arguments: '{}' }],
        },
      ],
    },
  },
];

describe('hashTranscript', () => {
  test('is a hex SHA-256', () => {
    assert.match(hashTranscript(scope, base), /^[0-9a-f]{64}$/);
  });
  for (const c of same) {
    test(`same hash: ${c.name}`, () => {
      assert.equal(hashTranscript(scope, c.a), hashTranscript(c.scopeB ?? scope, c.b));
    });
  }
  for (const c of different) {
    test(`different hash: ${c.name}`, () => {
      assert.notEqual(hashTranscript(scope, c.a), hashTranscript(c.scopeB ?? scope, c.b));
    });
  }
});
