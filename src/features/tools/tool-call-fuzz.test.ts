import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import { CORPUS_TOOLS } from './__fixtures__/replies.ts';
import { createToolCallParser } from './tool-call-parser.ts';

/**
 * Randomised re-chunking: replies stitched from the pieces that make parsing hard (tags, fences,
 * partial tags, JSON fragments, whitespace, multi-byte text) must give the same events however
 * they are chunked. Seeded, so a failure reproduces.
 */
const PIECES = [
  'Hello ',
  '你好 😀 ',
  '\n',
  '  ',
  '<',
  '< b ',
  '<tool_',
  '<tool_call>',
  '</tool_call>',
  '<function_call name="read_file">',
  '</function_call>',
  '<tool_result>',
  '```',
  '```json\n',
  '```xml\n',
  '`',
  '{"name": "get_weather", "arguments": {"city": "Paris"}}',
  '{"name": "read_file", "arguments": {"path": "a\nb",}',
  '{"path": "x"}',
  "{'name': 'nope'}",
  '}',
  '"',
  'get_weather',
];

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parse(chunks: readonly string[], parallel: boolean): { events: ChatEvent[]; problems: string[] } {
  let n = 0;
  const parser = createToolCallParser(CORPUS_TOOLS, { parallel, newId: () => `call_${++n}` });
  const events: ChatEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return { events: normalize(events), problems: parser.problems.map((problem) => problem.kind) };
}

function normalize(events: readonly ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (const event of events) {
    const last = out[out.length - 1];
    if (event.type === 'text-delta' && last?.type === 'text-delta') {
      out[out.length - 1] = { type: 'text-delta', text: last.text + event.text };
    } else {
      out.push(event);
    }
  }
  return out;
}

test('random replies give the same events under random chunking', () => {
  const random = prng(20_240_611);
  for (let round = 0; round < 400; round++) {
    const pieces = Array.from(
      { length: 1 + Math.floor(random() * 12) },
      () => PIECES[Math.floor(random() * PIECES.length)],
    );
    const reply = pieces.join('');
    const parallel = random() < 0.7;
    const reference = parse([reply], parallel);
    const chunkings: string[][] = [[...reply]];
    for (let k = 0; k < 8; k++) {
      const chunks: string[] = [];
      for (let i = 0; i < reply.length; ) {
        const size = 1 + Math.floor(random() * 9);
        chunks.push(reply.slice(i, i + size));
        i += size;
      }
      chunkings.push(chunks);
    }
    for (const chunks of chunkings) {
      assert.deepEqual(
        parse(chunks, parallel),
        reference,
        `reply ${JSON.stringify(reply)} chunks ${JSON.stringify(chunks)}`,
      );
    }
  }
});

test('random replies without calls lose no text', () => {
  const random = prng(7);
  const textual = PIECES.filter((piece) => !/tool_call|function_call|tool_result/.test(piece));
  for (let round = 0; round < 300; round++) {
    const reply = Array.from(
      { length: 1 + Math.floor(random() * 10) },
      () => textual[Math.floor(random() * textual.length)],
    ).join('');
    const { events } = parse([...reply], true);
    const text = events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
    assert.equal(text, reply);
  }
});
