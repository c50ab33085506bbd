import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { parseRecipe } from './load-recipe.ts';
import type { RecipeStream } from './recipe-schema.ts';
import { StreamExtractor } from './stream-extractor.ts';
import { ndjsonRecords, type StreamRecord, sseRecords, toRecord } from './stream-records.ts';

const fixture = (name: string) => readFile(new URL(`__fixtures__/${name}`, import.meta.url));
const openAiFixture = (name: string) =>
  readFile(new URL(`../openai-compatible/__fixtures__/${name}`, import.meta.url));

/** A stream section of a recipe, validated like a real one. */
function streamOf(yaml: string): RecipeStream {
  const recipe = parseRecipe(
    `recipe: 1\nname: T\nmodels: [{ id: m }]\napi:\n  send:\n    request: POST /x\n    stream:\n${yaml
      .trim()
      .split('\n')
      .map((line) => `      ${line}`)
      .join('\n')}\n`,
  );
  const stream = recipe.api?.send?.stream;
  assert.ok(stream);
  return stream;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  // Split awkwardly, as a network would.
  for (let at = 0; at < bytes.length; at += 7) yield bytes.subarray(at, at + 7);
}

async function run(
  stream: RecipeStream,
  records: AsyncIterable<StreamRecord> | StreamRecord[],
  knownThreadId?: string,
): Promise<SiteEvent[]> {
  const extractor = new StreamExtractor({
    stream,
    errors: { codes: { overloaded_now: 'overloaded' }, statuses: {} },
    vars: {},
    errorContext: { action: 'send' },
    ...(knownThreadId ? { knownThreadId } : {}),
  });
  const out: SiteEvent[] = [];
  for await (const record of records) {
    out.push(...extractor.push(record));
    if (extractor.finished) return out;
  }
  out.push(...extractor.end());
  return out;
}

const text = (events: SiteEvent[], type: 'text' | 'reasoning' = 'text') =>
  events.map((event) => (event.type === type ? event.delta : '')).join('');

describe('stream extraction by recipe selectors', () => {
  test('demo site SSE (recorded): thread first, thinking, text deltas, one finish last', async () => {
    const stream = streamOf(`
format: sse
threadId: { when: { event: meta }, path: $.threadId }
messageId: { when: { event: meta }, path: $.messageId }
thinking: { when: { event: thinking }, path: $.delta }
text: { when: { event: text }, path: $.delta }
finish: { when: { event: done }, reason: $.finishReason }`);
    const events = await run(stream, sseRecords(once(await fixture('demo-reasoning.sse.txt'))));
    assert.deepEqual(events[0], {
      type: 'thread',
      threadId: 'thr__hFzMtGnkwj-',
      messageId: 'msg_CHApcWGGOYyW',
    });
    assert.match(text(events, 'reasoning'), /^Thinking about turn 1: /);
    assert.match(text(events), /\n\nPINEAPPLE$/);
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    assert.equal(events.filter((event) => event.type === 'finish').length, 1);
    const firstText = events.findIndex((event) => event.type === 'text');
    assert.ok(events.findLastIndex((event) => event.type === 'reasoning') < firstText);
  });

  test('OpenAI-style chunks: wildcard paths, [DONE] marker, finish_reason mapping', async () => {
    const stream = streamOf(`
format: sse
text: $.choices[*].delta.content
finish: { when: { path: '$.choices[0].finish_reason' }, reason: '$.choices[0].finish_reason' }
error: { when: { path: $.error }, code: $.error.code, message: $.error.message }
endMarker: '[DONE]'`);
    const events = await run(stream, sseRecords(once(await openAiFixture('text-reply.chunks.txt'))));
    assert.deepEqual(events, [
      { type: 'text', delta: 'PINE' },
      { type: 'text', delta: 'APPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
    await assert.rejects(
      run(stream, sseRecords(once(await openAiFixture('mid-stream-error.chunks.txt')))),
      (error: unknown) => error instanceof GatewayError && /during the reply/.test(error.message),
    );
  });

  test('NDJSON (HuggingChat-shaped MessageUpdates): typed records, NUL padding dropped, finish record', async () => {
    // Hand-written to the MessageUpdate types in site-protocols.md §5 (huggingface/chat-ui).
    const stream = streamOf(`
format: ndjson
thinking: { when: { path: $.type, equals: reasoning }, path: $.token }
text: { when: { path: $.type, equals: stream }, path: $.token }
finish: { when: { path: $.type, equals: finalAnswer } }
error: { when: [{ path: $.type, equals: status }, { path: $.status, equals: error }], message: $.message }`);
    const events = await run(
      stream,
      ndjsonRecords(once(await fixture('huggingchat-like.jsonl.txt'))),
      'conv-9',
    );
    assert.deepEqual(events[0], { type: 'thread', threadId: 'conv-9' });
    assert.equal(text(events, 'reasoning'), 'The user wants one word.');
    assert.equal(text(events), 'PINEAPPLE');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
  });

  test('cumulative text (Poe-shaped frames) becomes deltas; conditions combine', async () => {
    // Hand-written to the messageAdded shape in site-protocols.md §3.2 (whole text resent each time).
    const stream = streamOf(`
format: websocket
websocket: { url: /ws }
threadId: $.payload.chatId
text:
  when: { path: $.payload.messageAdded.author, equals: bot }
  path: $.payload.messageAdded.text
  mode: cumulative
finish:
  when: [{ path: $.payload.messageAdded.author, equals: bot }, { path: $.payload.messageAdded.state, equals: complete }]`);
    const lines = (await fixture('cumulative-frames.txt')).toString().trim().split('\n');
    const events = await run(
      stream,
      lines.map((line) => toRecord(line)),
    );
    assert.deepEqual(events, [
      { type: 'thread', threadId: '77' },
      { type: 'text', delta: 'PI' },
      { type: 'text', delta: 'NEAP' },
      { type: 'text', delta: 'PLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('a stream that ends without finish is an error unless finishOnEnd', async () => {
    const records = [toRecord('{"t":"a"}'), toRecord('{"t":"b"}')];
    const strict = streamOf(`
format: ndjson
text: $.t
finish: { when: { path: $.done } }`);
    await assert.rejects(run(strict, records), /closed the stream before the reply finished/);
    const lenient = streamOf(`
format: json
text: $.t
finishOnEnd: true`);
    assert.deepEqual(await run(lenient, [toRecord('{"t":"whole answer"}')]), [
      { type: 'text', delta: 'whole answer' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('stream error codes map to error kinds; custom finish reasons', async () => {
    const stream = streamOf(`
format: ndjson
text: $.t
finish: { when: { path: $.end }, reason: $.end, reasons: { cut: length } }
error: { when: { path: $.err }, code: $.err }`);
    assert.deepEqual((await run(stream, [toRecord('{"t":"x"}'), toRecord('{"end":"cut"}')])).at(-1), {
      type: 'finish',
      reason: 'length',
    });
    await assert.rejects(
      run(stream, [toRecord('{"err":"overloaded_now"}')]),
      (error: unknown) => error instanceof GatewayError && error.kind === 'overloaded',
    );
  });
});
