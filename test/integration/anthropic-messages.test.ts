import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import sharp from 'sharp';
import { type Stack, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

const FIRST_LINE =
  /^\[(?<model>[\w-]+)\] turn=(?<turn>\d+) attachments=(?<attachments>\d+) sha256=(?<sha>\S+) chars=(?<chars>\d+) digest=(?<digest>[0-9a-f]{12}) system=(?<system>\S+)/;

const digest12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

function firstLine(text: string): Record<string, string> {
  const match = FIRST_LINE.exec(text);
  assert.ok(match?.groups, `no demo first line in: ${text}`);
  return match.groups;
}

function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

interface SseFrame {
  event: string | undefined;
  data: string | undefined;
  raw: string;
}

/** Splits a complete SSE body into frames, keeping the raw text so a missing `event:` line shows. */
function parseSse(body: string): SseFrame[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((raw) => raw.trim() !== '')
    .map((raw) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of raw.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.length > 0 ? data.join('\n') : undefined, raw };
    });
}

for (const transport of SITE_TRANSPORTS) {
  describe(`@anthropic-ai/sdk → /v1/messages → demo site — ${transport.name}`, () => {
    let stack: Stack;
    let client: Anthropic;
    before(async () => {
      // A short keep-alive so a `ping` shows up during a 2.5 s silence.
      stack = await startStack({
        config: { server: { host: '127.0.0.1', port: 0, keepAliveMs: 500 } },
        site: transport.site,
      });
      client = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    test('messages.create: the demo reply in a text block, end_turn, usage', async () => {
      const text = 'Reply with the word CHERRY';
      const message = await client.messages.create({
        model: 'demo/text-1',
        max_tokens: 256,
        messages: [{ role: 'user', content: text }],
      });
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.match(message.id, /^msg_/);
      assert.equal(message.model, 'demo/text-1');
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.stop_sequence, null);
      assert.equal(message.content.length, 1);
      const reply = textOf(message);
      const line = firstLine(reply);
      assert.equal(line.model, 'text-1');
      assert.equal(line.turn, '1');
      assert.equal(line.chars, String(text.length));
      assert.equal(line.digest, digest12(text));
      assert.match(reply, /\n\nCHERRY$/);
      assert.ok(message.usage.input_tokens > 0);
      assert.ok(message.usage.output_tokens > 0);
    });

    test('messages.stream() helper: text events and finalMessage()', async () => {
      const stream = client.messages.stream({
        model: 'demo/text-1',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'repeat plum 5 times' }],
      });
      let streamed = '';
      stream.on('text', (delta) => {
        streamed += delta;
      });
      const final = await stream.finalMessage();
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(textOf(final), streamed);
      assert.equal(firstLine(streamed).model, 'text-1');
      assert.match(streamed, /\n\nplum plum plum plum plum$/);
      assert.ok(final.usage.output_tokens > 0);
    });

    test('countTokens returns a positive estimate that grows with the input', async () => {
      const short = await client.messages.countTokens({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'hello' }],
      });
      const long = await client.messages.countTokens({
        model: 'demo/text-1',
        system: 'You are a helpful assistant that answers questions about fruit.',
        messages: [{ role: 'user', content: 'hello '.repeat(200) }],
      });
      assert.equal(typeof short.input_tokens, 'number');
      assert.ok(short.input_tokens > 0);
      assert.ok(long.input_tokens > short.input_tokens, `${long.input_tokens} <= ${short.input_tokens}`);
    });

    test('a base64 image block reaches the vision model byte for byte', async () => {
      const png = await sharp({ create: { width: 10, height: 5, channels: 3, background: '#36c' } })
        .png()
        .toBuffer();
      const sha = createHash('sha256').update(png).digest('hex');
      const message = await client.messages.create({
        model: 'demo/vision-1',
        max_tokens: 256,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image',
                source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') },
              },
              { type: 'text', text: 'What is this?' },
            ],
          },
        ],
      });
      const line = firstLine(textOf(message));
      assert.equal(line.model, 'vision-1');
      assert.equal(line.attachments, '1');
      assert.equal(line.sha, sha);
    });

    test('system as blocks with cache_control becomes the site system prompt', async () => {
      const blocks = ['You are terse.', 'Answer with a single word.'];
      const message = await client.messages.create({
        model: 'demo/text-1',
        max_tokens: 256,
        system: [
          { type: 'text', text: blocks[0] ?? '', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: blocks[1] ?? '', cache_control: { type: 'ephemeral', ttl: '1h' } },
        ],
        messages: [{ role: 'user', content: 'say ok' }],
      });
      const line = firstLine(textOf(message));
      // The gateway joins system blocks with a blank line.
      assert.equal(line.system, digest12(blocks.join('\n\n')));
      assert.match(textOf(message), /\n\nok$/);
    });

    test('role "system" inside messages is tolerated and used as the system prompt', async () => {
      const system = 'Be cheerful.';
      const messages = [
        { role: 'system', content: system },
        { role: 'user', content: 'say sunny' },
      ] as unknown as Anthropic.MessageParam[];
      const message = await client.messages.create({ model: 'demo/text-1', max_tokens: 256, messages });
      const line = firstLine(textOf(message));
      assert.equal(line.system, digest12(system));
      assert.equal(line.chars, String('say sunny'.length));
      assert.match(textOf(message), /\n\nsunny$/);
    });

    test('without thinking enabled, reasoning-1 answers with text blocks only (as the real API does)', async () => {
      const message = await client.messages.create({
        model: 'demo/reasoning-1',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'say hello' }],
      });
      assert.deepEqual(
        message.content.map((block) => block.type),
        ['text'],
      );
    });

    test('thinking on reasoning-1: a signed thinking block that round-trips in the next turn', async () => {
      const thinking = { type: 'enabled', budget_tokens: 1024 } as const;
      const first = await client.messages.create({
        model: 'demo/reasoning-1',
        max_tokens: 4096,
        thinking,
        messages: [{ role: 'user', content: 'say first' }],
      });
      assert.deepEqual(
        first.content.map((block) => block.type),
        ['thinking', 'text'],
      );
      const block = first.content[0];
      assert.equal(block?.type, 'thinking');
      assert.match(block.thinking, /^Thinking about turn 1:/);
      assert.equal(typeof block.signature, 'string');
      assert.ok(block.signature.length > 10, block.signature);
      assert.match(textOf(first), /\n\nfirst$/);

      // Send the thinking block back unchanged (as the SDK docs require for tool loops).
      const second = await client.messages.create({
        model: 'demo/reasoning-1',
        max_tokens: 4096,
        thinking,
        messages: [
          { role: 'user', content: 'say first' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: 'say second' },
        ],
      });
      assert.equal(second.stop_reason, 'end_turn');
      const line = firstLine(textOf(second));
      assert.equal(line.model, 'reasoning-1');
      assert.equal(line.turn, '2');
      assert.equal(line.chars, String('say second'.length));
      assert.match(textOf(second), /\n\nsecond$/);
    });

    test('thinking streams through the helper with a signature', async () => {
      const stream = client.messages.stream({
        model: 'demo/reasoning-1',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'reply with the word FIG' }],
      });
      let thought = '';
      stream.on('thinking', (delta) => {
        thought += delta;
      });
      let signature = '';
      stream.on('signature', (value) => {
        signature = value;
      });
      const final = await stream.finalMessage();
      const block = final.content[0];
      assert.equal(block?.type, 'thinking');
      assert.equal(block.thinking, thought);
      assert.equal(block.signature, signature);
      assert.ok(signature.length > 10);
      assert.match(textOf(final), /\n\nFIG$/);
    });

    test('x-api-key and Authorization: Bearer both authenticate', async () => {
      const bearer = new Anthropic({ baseURL: stack.url, authToken: stack.key, apiKey: null, maxRetries: 0 });
      const viaBearer = await bearer.messages
        .create({ model: 'demo/text-1', max_tokens: 64, messages: [{ role: 'user', content: 'say bearer' }] })
        .withResponse();
      assert.equal(viaBearer.response.status, 200);
      assert.match(textOf(viaBearer.data), /\n\nbearer$/);

      for (const headers of [{ 'x-api-key': stack.key }, { authorization: `Bearer ${stack.key}` }] as Record<
        string,
        string
      >[]) {
        const response = await fetch(`${stack.url}/v1/messages`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({
            model: 'demo/text-1',
            max_tokens: 64,
            messages: [{ role: 'user', content: 'say raw' }],
          }),
        });
        assert.equal(response.status, 200, Object.keys(headers).join());
        const body = (await response.json()) as Anthropic.Message;
        assert.match(textOf(body), /\n\nraw$/);
      }
    });

    test('anthropic-beta headers and ?beta=true are accepted', async () => {
      const viaSdk = await client.beta.messages
        .create({
          model: 'demo/text-1',
          max_tokens: 64,
          betas: ['interleaved-thinking-2025-05-14', 'some-future-beta-2099-01-01'],
          messages: [{ role: 'user', content: 'say beta' }],
        })
        .withResponse();
      assert.match(viaSdk.response.url, /\?beta=true$/);
      const sdkText = viaSdk.data.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      assert.match(sdkText, /\n\nbeta$/);

      const response = await fetch(`${stack.url}/v1/messages?beta=true`, {
        method: 'POST',
        headers: {
          'x-api-key': stack.key,
          'content-type': 'application/json',
          'anthropic-version': '2099-12-31',
          'anthropic-beta': 'prompt-caching-2024-07-31,fine-grained-tool-streaming-2025-05-14, unknown-beta',
        },
        body: JSON.stringify({
          model: 'demo/text-1',
          max_tokens: 64,
          messages: [{ role: 'user', content: 'say query' }],
        }),
      });
      assert.equal(response.status, 200);
      assert.match(textOf((await response.json()) as Anthropic.Message), /\n\nquery$/);
    });

    test('models.list() and models.retrieve() work with the Anthropic SDK', async () => {
      const ids: string[] = [];
      for await (const model of client.models.list()) {
        assert.equal(model.type, 'model');
        assert.equal(typeof model.display_name, 'string');
        assert.ok(!Number.isNaN(Date.parse(model.created_at)), model.created_at);
        ids.push(model.id);
      }
      for (const id of ['text-1', 'vision-1', 'reasoning-1', 'tools-1', 'slow-1', 'fast-1']) {
        assert.ok(ids.includes(`demo/${id}`), `${id} missing from ${ids.join()}`);
      }
      const one = await client.models.retrieve('demo/vision-1');
      assert.equal(one.id, 'demo/vision-1');
      assert.equal(one.type, 'model');
    });

    test('raw SSE: every frame has an event line, usage in message_start and message_delta, message_stop last, ping during silence', async () => {
      await stack.setFaults({ slowFirstTokenMs: 2500 });
      let body: string;
      let contentType: string | null;
      try {
        const response = await fetch(`${stack.url}/v1/messages`, {
          method: 'POST',
          headers: {
            'x-api-key': stack.key,
            'content-type': 'application/json',
            'anthropic-version': '2023-06-01',
          },
          body: JSON.stringify({
            model: 'demo/text-1',
            max_tokens: 256,
            stream: true,
            messages: [{ role: 'user', content: 'repeat lime 3 times' }],
          }),
        });
        assert.equal(response.status, 200);
        contentType = response.headers.get('content-type');
        body = await response.text();
      } finally {
        await stack.setFaults({});
      }
      assert.match(contentType ?? '', /^text\/event-stream/);
      const frames = parseSse(body);
      assert.ok(frames.length > 5, body);
      const events: { type: string; [key: string]: unknown }[] = [];
      for (const frame of frames) {
        assert.ok(frame.event, `frame without an event line: ${JSON.stringify(frame.raw)}`);
        assert.ok(frame.data, `frame without data: ${JSON.stringify(frame.raw)}`);
        const data = JSON.parse(frame.data) as { type: string };
        assert.equal(data.type, frame.event, frame.raw);
        events.push(data);
      }
      const types = events.map((event) => event.type);
      assert.equal(types[0], 'message_start');
      assert.equal(types.at(-1), 'message_stop');
      assert.ok(types.includes('ping'), `no ping during a 2.5 s silence: ${types.join()}`);
      // The ping came during the silence: before the first text delta.
      assert.ok(types.indexOf('ping') < types.indexOf('content_block_delta'), types.join());

      const start = events[0] as unknown as Anthropic.RawMessageStartEvent;
      assert.equal(start.message.role, 'assistant');
      assert.equal(start.message.model, 'demo/text-1');
      assert.equal(typeof start.message.usage.input_tokens, 'number');
      assert.ok(start.message.usage.input_tokens > 0);
      assert.equal(typeof start.message.usage.output_tokens, 'number');

      const deltas = events.filter((event) => event.type === 'message_delta');
      assert.equal(deltas.length, 1);
      const delta = deltas[0] as unknown as Anthropic.RawMessageDeltaEvent;
      assert.equal(delta.delta.stop_reason, 'end_turn');
      assert.ok(delta.usage.output_tokens > 0);
      assert.ok(types.indexOf('message_delta') < types.indexOf('message_stop'));

      let text = '';
      for (const event of events) {
        if (event.type !== 'content_block_delta') continue;
        const blockDelta = (event as unknown as Anthropic.RawContentBlockDeltaEvent).delta;
        if (blockDelta.type === 'text_delta') text += blockDelta.text;
      }
      assert.match(text, /\n\nlime lime lime$/);
      assert.equal(types.filter((type) => type === 'content_block_start').length, 1);
      assert.equal(types.filter((type) => type === 'content_block_stop').length, 1);
    });
  });
}
