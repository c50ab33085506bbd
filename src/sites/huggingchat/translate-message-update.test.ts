import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { readFixture } from '../kit/replay-fixture.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { mapHuggingChatError } from './map-huggingchat-error.ts';
import { readJsonLines } from './read-json-lines.ts';
import { MessageUpdateTranslator } from './translate-message-update.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';

const FIXTURES = new URL('./__fixtures__/', import.meta.url);

async function* pieces(text: string, size: number): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Runs a fixture through the line reader (cut into `size`-byte reads) and the translator. */
async function translateFixture(name: string, size = 3): Promise<SiteEvent[]> {
  const wire = readFixture(FIXTURES, name)
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  const translator = new MessageUpdateTranslator();
  const events: SiteEvent[] = [];
  for await (const line of readJsonLines(pieces(wire, size))) {
    const result = translator.push(line);
    events.push(...result.events);
    if (result.done) return events;
  }
  return [...events, ...translator.end()];
}

describe('readJsonLines', () => {
  test('lines split across reads, multi-byte characters cut in half, padding and junk lines', async () => {
    const text = '{"a":"é"}\n   \n' + ' '.repeat(50) + '\nnot json\n{"b":2}';
    for (const size of [1, 2, 5, 100]) {
      const values: unknown[] = [];
      for await (const value of readJsonLines(pieces(text, size))) values.push(value);
      assert.deepEqual(values, [{ a: 'é' }, { b: 2 }], `read size ${size}`);
    }
  });
});

describe('MessageUpdateTranslator on the fixtures', () => {
  test('reply-text: U+0000 padding stripped, title ignored, one stop finish', async () => {
    for (const size of [1, 3, 64]) {
      assert.deepEqual(await translateFixture('reply-text.jsonl', size), [
        { type: 'text', delta: 'PINE' },
        { type: 'text', delta: 'APPLE' },
        { type: 'finish', reason: 'stop' },
      ]);
    }
  });

  test('reply-reasoning: reasoning tokens stream, status summaries and router metadata do not', async () => {
    assert.deepEqual(await translateFixture('reply-reasoning.jsonl'), [
      { type: 'reasoning', delta: 'The user ' },
      { type: 'reasoning', delta: 'wants one word.' },
      { type: 'text', delta: 'PINEAPPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('reply-final-only: the final answer becomes the text', async () => {
    assert.deepEqual(await translateFixture('reply-final-only.jsonl'), [
      { type: 'text', delta: 'PINEAPPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('reply-interrupted: the final text completes the streamed one and the finish is length', async () => {
    assert.deepEqual(await translateFixture('reply-interrupted.jsonl'), [
      { type: 'text', delta: 'Once upon' },
      { type: 'text', delta: ' a time' },
      { type: 'finish', reason: 'length' },
    ]);
  });

  test('reply-error: a status error with statusCode 429 is a rate limit', async () => {
    await assert.rejects(
      translateFixture('reply-error.jsonl'),
      (e: unknown) => e instanceof GatewayError && e.kind === 'rate_limit' && /usage limit/.test(e.message),
    );
  });
});

describe('MessageUpdateTranslator edge cases', () => {
  test('a final answer that differs from the stream (trimmed) adds nothing', () => {
    const t = new MessageUpdateTranslator();
    t.push({ type: 'stream', token: 'Hello ' });
    assert.deepEqual(t.push({ type: 'finalAnswer', text: 'Hello' }).events, [
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('nothing after the final answer; unknown updates are passed over', () => {
    const t = new MessageUpdateTranslator();
    assert.deepEqual(t.push({ type: 'webSearch', subtype: 'update' }), { events: [], done: false });
    assert.deepEqual(t.push({ type: 'file', sha: 'abc', name: 'x.png', mime: 'image/png' }), {
      events: [],
      done: false,
    });
    t.push({ type: 'finalAnswer', text: 'x' });
    assert.deepEqual(t.push({ type: 'stream', token: 'late' }), { events: [], done: true });
    assert.deepEqual(t.end(), []);
  });

  test('a stream closed before the final answer is an upstream error', () => {
    const t = new MessageUpdateTranslator();
    t.push({ type: 'stream', token: 'x' });
    assert.throws(
      () => t.end(),
      (e: unknown) => e instanceof GatewayError && e.kind === 'upstream',
    );
  });

  test('an error status without a code is an upstream error', () => {
    assert.throws(
      () =>
        new MessageUpdateTranslator().push({ type: 'status', status: 'error', message: 'Model overloaded' }),
      (e: unknown) => e instanceof GatewayError && e.kind === 'upstream',
    );
  });
});

describe('mapHuggingChatError', () => {
  const map = (status: number, message: string, conversationId?: string) =>
    mapHuggingChatError({ status, body: JSON.stringify({ message }), action: 'answer', conversationId });

  test('statuses chat-ui uses', () => {
    assert.ok(map(401, 'Unauthorized') instanceof NeedsLoginError);
    assert.ok(map(404, 'Conversation not found', 'c1') instanceof ThreadNotFoundError);
    assert.equal(map(404, 'nope').kind, 'not_found');
    assert.equal(map(410, 'Model not available anymore').kind, 'not_found');
    assert.equal(map(413, 'File too large').kind, 'request_too_large');
    assert.equal(map(400, 'Message too long.').kind, 'context_length_exceeded');
    assert.equal(map(429, 'You are sending too many messages').kind, 'rate_limit');
    assert.equal(map(500, 'oops').kind, 'upstream');
  });

  test('the per-conversation message cap sends the turn to a fresh thread', () => {
    assert.ok(
      map(429, 'This conversation has more than 100 messages. Start a new one to continue', 'c1') instanceof
        ThreadNotFoundError,
    );
  });
});
