import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { DemoSite } from '../index.ts';
import { sha256Hex } from '../reply-script.ts';
import {
  control,
  metaOf,
  readSse,
  SiteClient,
  startTestSite,
  textOf,
  waitFor,
} from '../testing/site-client.ts';

const digest = (text: string) => sha256Hex(text).slice(0, 12);

describe('POST /api/chat: every model over SSE', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite({ fastChunks: 50 });
    client = await SiteClient.login(site);
  });
  after(() => site.close());

  test('text-1: meta first, delta text, done last; the first line is exact', async () => {
    const { status, events } = await client.chat({ model: 'text-1', text: 'say hi' });
    assert.equal(status, 200);
    assert.equal(events[0]?.event, 'meta');
    assert.equal(events.at(-1)?.event, 'done');
    assert.deepEqual(events.at(-1)?.data, {
      finishReason: 'stop',
      usage: { inputChars: 6, outputChars: textOf(events).length },
    });
    assert.equal(
      textOf(events),
      `[text-1] turn=1 attachments=0 sha256=- chars=6 digest=${digest('say hi')} system=-\n\nhi`,
    );
    const meta = metaOf(events);
    assert.equal(meta.turn, 1);
    const thread = await client.json<{
      messages: Array<{ id: string; role: string; status: string; text: string }>;
    }>(`/api/threads/${meta.threadId}`);
    assert.deepEqual(
      thread.body.messages.map((m) => [m.role, m.status]),
      [
        ['user', 'complete'],
        ['assistant', 'complete'],
      ],
    );
    assert.equal(thread.body.messages[1]?.id, meta.messageId);
    assert.equal(thread.body.messages[1]?.text, textOf(events));
  });

  test('turns count up in a thread; the system prompt of a new thread shows in the first line', async () => {
    const first = await client.chat({ model: 'text-1', text: 'remember walnut', systemPrompt: 'Be terse.' });
    const { threadId } = metaOf(first.events);
    assert.match(
      textOf(first.events),
      new RegExp(`turn=1 .* system=${digest('Be terse.')}\\n\\nOK, I will remember walnut\\.$`),
    );
    const second = await client.chat({
      threadId,
      model: 'text-1',
      text: 'What did I ask you to remember?',
      systemPrompt: 'ignored',
    });
    assert.match(
      textOf(second.events),
      new RegExp(
        `^\\[text-1\\] turn=2 .* system=${digest('Be terse.')}\\n\\nYou asked me to remember walnut\\.$`,
      ),
    );
    const log = await control<{ texts: string[] }>(site, `threads/${threadId}/log`);
    assert.deepEqual(log.texts, ['remember walnut', 'What did I ask you to remember?']);
  });

  test('vision-1: the first line carries the sha256 of each uploaded image', async () => {
    const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const jpeg = await sharp({ create: { width: 5, height: 4, channels: 3, background: '#00f' } })
      .jpeg()
      .toBuffer();
    const a = (await (await client.upload(png, 'a.png', 'image/png')).json()) as { id: string };
    const b = (await (await client.upload(jpeg, 'b.jpg', 'image/jpeg')).json()) as { id: string };
    const { events } = await client.chat({ model: 'vision-1', text: 'what is this?', fileIds: [a.id, b.id] });
    const firstLine = textOf(events).split('\n')[0];
    assert.equal(
      firstLine,
      `[vision-1] turn=1 attachments=2 sha256=${sha256Hex(png)},${sha256Hex(jpeg)} chars=13 digest=${digest('what is this?')} system=-`,
    );
  });

  test('only vision-1 takes attachments', async () => {
    const file = (await (await client.upload(Buffer.from('notes'), 'n.txt', 'text/plain')).json()) as {
      id: string;
    };
    const res = await client.chat({ model: 'text-1', text: 'x', fileIds: [file.id] });
    assert.equal(res.status, 400);
    assert.deepEqual(res.error, {
      error: { code: 'attachments_not_supported', message: 'text-1 does not accept attachments.' },
    });
  });

  test('reasoning-1: thinking deltas come before any text', async () => {
    const { events } = await client.chat({ model: 'reasoning-1', text: 'reply in json' });
    const kinds = events.map((e) => e.event);
    assert.ok(kinds.indexOf('thinking') > 0 && kinds.lastIndexOf('thinking') < kinds.indexOf('text'));
    assert.match(textOf(events, 'thinking'), /^Thinking about turn 1: /);
    assert.ok(textOf(events).endsWith('\n\n{"ok":true,"turn":1,"model":"reasoning-1"}'));
  });

  test('tools-1: a structured tool_call, then the tool result in the next turn', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }];
    const first = await client.chat({
      model: 'tools-1',
      text: 'call tool get_weather with {"city":"Oslo"}',
      tools,
    });
    const call = first.events.find((e) => e.event === 'tool_call')?.data as {
      id: string;
      name: string;
      arguments: string;
    };
    assert.match(call.id, /^call_/);
    assert.equal(call.name, 'get_weather');
    assert.equal(call.arguments, '{"city":"Oslo"}');
    assert.equal(first.events.at(-1)?.data.finishReason, 'tool_calls');
    const { threadId } = metaOf(first.events);
    const second = await client.chat({
      threadId,
      model: 'tools-1',
      text: '',
      tools,
      toolResults: [{ toolCallId: call.id, name: 'get_weather', content: 'sunny' }],
    });
    assert.match(textOf(second.events), /turn=2 .*\n\nTool get_weather returned: sunny$/);
  });

  test('tools are refused by models without native tools', async () => {
    const res = await client.chat({ model: 'text-1', text: 'x', tools: [{ name: 'a' }] });
    assert.equal(res.status, 400);
    assert.equal((res.error as { error: { code: string } }).error.code, 'tools_not_supported');
  });

  test('text-1 follows a tool protocol written in the system prompt', async () => {
    const { events } = await client.chat({
      model: 'text-1',
      systemPrompt: 'To use a tool reply with <tool_call>{"name":...,"arguments":{...}}</tool_call>',
      text: 'call tool search with {"q": "demo"}',
    });
    assert.ok(
      textOf(events).endsWith('\n\n<tool_call>{"name":"search","arguments":{"q":"demo"}}</tool_call>'),
    );
  });

  test('slow-1 streams about 40 words, paced', async () => {
    const started = Date.now();
    const { events } = await client.chat({ model: 'slow-1', text: 'tell me a story' });
    const words = textOf(events).split('\n\n').slice(1).join(' ').split(/\s+/).length;
    assert.ok(words >= 38, `words: ${words}`);
    assert.ok(Date.now() - started >= 40 * 2, 'paced at slowWordDelayMs');
  });

  test('fast-1 streams exactly fastChunks text events', async () => {
    const { events } = await client.chat({ model: 'fast-1', text: 'bench' });
    assert.equal(events.filter((e) => e.event === 'text').length, 50);
  });

  test('maxTokens cuts the answer with finishReason length', async () => {
    const { events } = await client.chat({ model: 'text-1', text: 'count to 100', maxTokens: 4 });
    assert.ok(textOf(events).endsWith('\n\n1 2 3 4'));
    assert.equal(events.at(-1)?.data.finishReason, 'length');
  });
});

describe('stopping a generation', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite({ slowWordDelayMs: 40 });
    client = await SiteClient.login(site);
  });
  after(() => site.close());

  test('the server notices a client abort: generation stopped, clientAborts counted', async () => {
    const controller = new AbortController();
    const res = await client.request('/api/chat', {
      json: { model: 'slow-1', text: 'long one' },
      signal: controller.signal,
    });
    let meta: { threadId: string; messageId: string } | undefined;
    let texts = 0;
    await readSse(res, (event) => {
      if (event.event === 'meta') meta = event.data as typeof meta;
      if (event.event === 'text' && ++texts === 3) {
        controller.abort();
        return false;
      }
      return true;
    }).catch(() => undefined);
    await waitFor(async () => (await control<{ clientAborts: number }>(site, 'stats')).clientAborts === 1);
    const stats = await control<{ activeGenerations: number; stops: number }>(site, 'stats');
    assert.equal(stats.activeGenerations, 0);
    assert.equal(stats.stops, 0);
    const thread = await client.json<{ messages: Array<{ status: string; text: string }> }>(
      `/api/threads/${meta?.threadId}`,
    );
    const reply = thread.body.messages[1];
    assert.equal(reply?.status, 'stopped');
    assert.ok((reply?.text.split(' ').length ?? 99) < 30, 'stopped well before the end');
  });

  test('POST /api/messages/:id/stop ends an SSE stream with done stopped:true', async () => {
    const res = await client.request('/api/chat', { json: { model: 'slow-1', text: 'another long one' } });
    let messageId = '';
    let stop: Promise<{ status: number; body: unknown }> | undefined;
    const events = await readSse(res, (event) => {
      if (event.event === 'meta') messageId = String(event.data.messageId);
      if (event.event === 'text' && !stop)
        stop = client.json(`/api/messages/${messageId}/stop`, { method: 'POST' });
      return true;
    });
    assert.deepEqual(await stop, { status: 200, body: { stopped: true } });
    const done = events.at(-1);
    assert.equal(done?.event, 'done');
    assert.equal(done?.data.stopped, true);
    assert.equal(done?.data.finishReason, 'stop');
    const stats = await control<{ stops: number; clientAborts: number }>(site, 'stats');
    assert.equal(stats.stops, 1);
    assert.equal(stats.clientAborts, 1);
    const again = await client.json(`/api/messages/${messageId}/stop`, { method: 'POST' });
    assert.deepEqual(again, { status: 200, body: { stopped: false } });
    const unknown = await client.json(`/api/messages/msg_nope/stop`, { method: 'POST' });
    assert.equal(unknown.status, 404);
  });
});
