import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readServerSentEvents } from './read-server-sent-events.ts';

async function* chunks(parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function collect(parts: string[]) {
  const out: Array<{ event: string | undefined; data: string }> = [];
  for await (const message of readServerSentEvents(chunks(parts)))
    out.push({ event: message.event, data: message.data });
  return out;
}

test('frames split at any byte give the same messages', async () => {
  const wire = 'event: text\ndata: {"delta":"héllo"}\n\nevent: done\ndata: {}\n\n';
  const whole = await collect([wire]);
  assert.deepEqual(whole, [
    { event: 'text', data: '{"delta":"héllo"}' },
    { event: 'done', data: '{}' },
  ]);
  const bytes = new TextEncoder().encode(wire);
  for (let cut = 1; cut < bytes.length; cut++) {
    const decoder = new TextDecoder();
    // Split on bytes, not characters, so multi-byte characters straddle chunks too.
    async function* split(): AsyncIterable<Uint8Array> {
      yield bytes.slice(0, cut);
      yield bytes.slice(cut);
    }
    const out: Array<{ event: string | undefined; data: string }> = [];
    for await (const m of readServerSentEvents(split())) out.push({ event: m.event, data: m.data });
    assert.deepEqual(out, whole, `cut at ${cut}`);
    decoder.decode();
  }
});

test('an unterminated last frame is not emitted', async () => {
  assert.deepEqual(await collect(['data: a\n\ndata: b']), [{ event: undefined, data: 'a' }]);
});
