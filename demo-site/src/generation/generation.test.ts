import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredMessage } from '../store/threads.ts';
import type { StreamFrame } from './frames.ts';
import { Generation, type GenerationPlan } from './generation.ts';

function plan(overrides: Partial<GenerationPlan> = {}): GenerationPlan {
  const message: StoredMessage = { id: 'msg_1', role: 'assistant', text: '', status: 'streaming', turn: 1 };
  return {
    owner: 'demo',
    threadId: 'thr_1',
    turn: 1,
    message,
    reply: { thinking: ['hm '], text: ['a ', 'b ', 'c ', 'd'], toolCalls: [], finishReason: 'stop' },
    inputChars: 3,
    wordDelayMs: 0,
    slowFirstTokenMs: 0,
    stallSeconds: 0,
    ...overrides,
  };
}

function recorder() {
  const frames: StreamFrame[] = [];
  let disconnected = false;
  return {
    frames,
    get disconnected() {
      return disconnected;
    },
    sink: {
      frame: (frame: StreamFrame) => void frames.push(frame),
      disconnect: () => {
        disconnected = true;
      },
    },
  };
}

describe('Generation', () => {
  test('streams meta, thinking, text, done and fills in the message', async () => {
    const p = plan();
    const generation = new Generation(p);
    const rec = recorder();
    generation.subscribe(rec.sink);
    assert.equal(await generation.run(), 'complete');
    assert.deepEqual(
      rec.frames.map((f) => f.type),
      ['meta', 'thinking', 'text', 'text', 'text', 'text', 'done'],
    );
    assert.equal(p.message.text, 'a b c d');
    assert.equal(p.message.thinking, 'hm ');
    assert.equal(p.message.status, 'complete');
    assert.deepEqual(rec.frames.at(-1), {
      type: 'done',
      finishReason: 'stop',
      usage: { inputChars: 3, outputChars: 7 },
    });
  });

  test('a subscriber after the end gets the full replay', async () => {
    const generation = new Generation(plan());
    await generation.run();
    const rec = recorder();
    generation.subscribe(rec.sink);
    assert.deepEqual(rec.frames, generation.frames);
    assert.equal(rec.frames[0]?.type, 'meta');
  });

  test('stop ends with done stopped:true and a stopped message; a second stop is refused', async () => {
    const p = plan({ wordDelayMs: 20 });
    const generation = new Generation(p);
    const running = generation.run();
    assert.equal(generation.stop('client_abort'), true);
    assert.equal(generation.stop('stop'), false);
    assert.equal(await running, 'client_abort');
    assert.equal(p.message.status, 'stopped');
    const done = generation.frames.at(-1);
    assert.equal(done?.type === 'done' && done.stopped, true);
  });

  test('disconnectAfterChunks drops live sinks, and late subscribers see an error frame', async () => {
    const p = plan({ disconnectAfterChunks: 2 });
    const generation = new Generation(p);
    const rec = recorder();
    generation.subscribe(rec.sink);
    assert.equal(await generation.run(), 'disconnected');
    assert.equal(rec.disconnected, true);
    assert.deepEqual(
      rec.frames.map((f) => f.type),
      ['meta', 'thinking', 'text', 'text'],
    );
    assert.equal(p.message.status, 'error');
    assert.deepEqual(generation.frames.at(-1), {
      type: 'error',
      code: 'stream_interrupted',
      message: 'The connection was dropped.',
    });
  });

  test('a sink that throws is dropped without ending the generation', async () => {
    const generation = new Generation(plan());
    generation.subscribe({
      frame: () => {
        throw new Error('socket gone');
      },
      disconnect: () => undefined,
    });
    assert.equal(await generation.run(), 'complete');
  });
});
