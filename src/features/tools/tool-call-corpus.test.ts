import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatEvent } from '../../core/chat-event.ts';
import { CORPUS_TOOLS, type ExpectedEvent, REPLY_CORPUS, type ReplyCase } from './__fixtures__/replies.ts';
import { createToolCallParser } from './tool-call-parser.ts';

interface RunResult {
  events: ChatEvent[];
  problems: string[];
  valid: number;
  narrated: readonly string[];
}

function run(reply: ReplyCase, chunks: readonly string[]): RunResult {
  let n = 0;
  const parser = createToolCallParser(CORPUS_TOOLS, {
    parallel: reply.parallel ?? true,
    newId: () => `call_${++n}`,
  });
  const events: ChatEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end({ truncated: reply.truncated ?? false }));
  return {
    events,
    problems: parser.problems.map((problem) => problem.kind),
    valid: parser.validCallCount,
    narrated: parser.narratedToolNames,
  };
}

/** Merges consecutive text deltas and each call's argument deltas: chunking may only change these. */
function normalize(events: readonly ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (const event of events) {
    const last = out[out.length - 1];
    if (event.type === 'text-delta' && last?.type === 'text-delta') {
      out[out.length - 1] = { type: 'text-delta', text: last.text + event.text };
    } else if (event.type === 'tool-call-delta' && last?.type === 'tool-call-delta' && last.id === event.id) {
      out[out.length - 1] = { ...last, argumentsDelta: last.argumentsDelta + event.argumentsDelta };
    } else {
      out.push({ ...event });
    }
  }
  return out;
}

function expand(expected: readonly ExpectedEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  let n = 0;
  for (const item of expected) {
    if (typeof item === 'string') {
      out.push({ type: 'text-delta', text: item });
      continue;
    }
    const id = `call_${++n}`;
    const tool = CORPUS_TOOLS.find((candidate) => candidate.name === item.call);
    assert.ok(tool, `fixture names unknown tool ${item.call}`);
    const args = typeof item.args === 'string' ? item.args : JSON.stringify(item.args);
    out.push({ type: 'tool-call-start', id, name: item.call, kind: tool.kind });
    if (args !== '') out.push({ type: 'tool-call-delta', id, argumentsDelta: args });
    out.push({ type: 'tool-call-end', id });
  }
  return out;
}

function expectedValid(reply: ReplyCase): number {
  if (reply.valid !== undefined) return reply.valid;
  const calls = reply.expected.filter((item) => typeof item !== 'string').length;
  return calls - (reply.problems ?? []).filter((kind) => kind === 'invalid-arguments').length;
}

test('the corpus has at least 40 replies with unique names', () => {
  assert.ok(REPLY_CORPUS.length >= 40, `only ${REPLY_CORPUS.length} replies`);
  assert.equal(new Set(REPLY_CORPUS.map((reply) => reply.name)).size, REPLY_CORPUS.length);
});

describe('reply corpus: expected events', () => {
  for (const reply of REPLY_CORPUS) {
    test(reply.name, () => {
      const result = run(reply, [reply.reply]);
      assert.deepEqual(normalize(result.events), expand(reply.expected));
      assert.deepEqual(result.problems, reply.problems ?? []);
      assert.equal(result.valid, expectedValid(reply));
      assert.deepEqual(result.narrated, reply.narrated ?? []);
    });
  }
});

/** Code unit splits (a superset of byte and code point splits: the parser must not care). */
function* splits(text: string): Generator<string[]> {
  for (let i = 0; i <= text.length; i++) yield [text.slice(0, i), text.slice(i)];
  yield [...text];
  if (text.length <= 64) {
    for (let i = 1; i < text.length; i++) {
      for (let j = i + 1; j < text.length; j++) yield [text.slice(0, i), text.slice(i, j), text.slice(j)];
    }
  }
}

describe('reply corpus: re-chunked at every split point gives the same events', () => {
  for (const reply of REPLY_CORPUS) {
    test(reply.name, () => {
      const whole = run(reply, [reply.reply]);
      const reference = normalize(whole.events);
      for (const chunks of splits(reply.reply)) {
        const result = run(reply, chunks);
        assert.deepEqual(normalize(result.events), reference, `chunks: ${JSON.stringify(chunks)}`);
        assert.deepEqual(result.problems, whole.problems, `chunks: ${JSON.stringify(chunks)}`);
      }
    });
  }
});
