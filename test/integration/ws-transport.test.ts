import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import sharp from 'sharp';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

const FIRST_LINE =
  /^\[(?<model>[\w-]+)\] turn=(?<turn>\d+) attachments=(?<attachments>\d+) sha256=(?<sha>\S+) chars=(?<chars>\d+) digest=(?<digest>[0-9a-f]{12}) system=(?<system>\S+)/;

function firstLine(text: string): Record<string, string> {
  const match = FIRST_LINE.exec(text);
  assert.ok(match?.groups, `no demo first line in: ${text}`);
  return match.groups;
}

for (const transport of SITE_TRANSPORTS) {
  describe(`demo site over its WebSocket transport (streaming: ws) — ${transport.name}`, () => {
    let stack: Stack;
    let openai: OpenAI;
    let anthropic: Anthropic;
    before(async () => {
      stack = await startStack({ streaming: 'ws', demo: { slowWordDelayMs: 200 }, site: transport.site });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    /** The last message the site received with this exact text went over the WebSocket transport. */
    function assertSentOverWs(text: string): void {
      const received = stack.demo.receivedMessages(50).filter((message) => message.text === text);
      assert.ok(received.length > 0, `the site never received ${JSON.stringify(text)}`);
      assert.equal(received.at(-1)?.transport, 'ws');
    }

    test('chat completions, non-streaming', async () => {
      const text = 'Reply with the word WALNUT';
      const completion = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: text }],
      });
      const reply = completion.choices[0]?.message.content ?? '';
      const line = firstLine(reply);
      assert.equal(line.model, 'text-1');
      assert.equal(line.chars, String(text.length));
      assert.match(reply, /\n\nWALNUT$/);
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
      assertSentOverWs(text);
    });

    test('chat completions, streaming with usage', async () => {
      const stream = await openai.chat.completions.create({
        model: 'demo/fast-1',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'repeat pecan 4 times' }],
      });
      let text = '';
      let finish: string | null | undefined;
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) {
        if (chunk.choices.length === 0) usage = chunk.usage;
        for (const choice of chunk.choices) {
          text += choice.delta.content ?? '';
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
      assert.equal(firstLine(text).model, 'fast-1');
      assert.match(text, /\n\npecan pecan pecan pecan$/);
      assert.equal(finish, 'stop');
      assert.ok((usage?.completion_tokens ?? 0) > 0);
      assertSentOverWs('repeat pecan 4 times');
    });

    test('Anthropic stream helper with thinking on reasoning-1', async () => {
      const stream = anthropic.messages.stream({
        model: 'demo/reasoning-1',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'say hazel' }],
      });
      let thought = '';
      stream.on('thinking', (delta) => {
        thought += delta;
      });
      const final = await stream.finalMessage();
      assert.match(thought, /^Thinking about turn 1:/);
      const block = final.content[0];
      assert.equal(block?.type, 'thinking');
      assert.ok(block.signature.length > 10);
      const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      assert.equal(firstLine(text).model, 'reasoning-1');
      assert.match(text, /\n\nhazel$/);
      assertSentOverWs('say hazel');
    });

    test('a continued conversation stays on one site thread', async () => {
      const first = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'remember ALMOND' }],
      });
      const answer = first.choices[0]?.message.content ?? '';
      const second = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [
          { role: 'user', content: 'remember ALMOND' },
          { role: 'assistant', content: answer },
          { role: 'user', content: 'what did I ask you to remember' },
        ],
      });
      const reply = second.choices[0]?.message.content ?? '';
      assert.equal(firstLine(reply).turn, '2');
      assert.match(reply, /ALMOND/);
    });

    test('image input is uploaded and attached', async () => {
      const png = await sharp({ create: { width: 5, height: 4, channels: 3, background: '#a5f' } })
        .png()
        .toBuffer();
      const sha = createHash('sha256').update(png).digest('hex');
      const completion = await openai.chat.completions.create({
        model: 'demo/vision-1',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'describe' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
            ],
          },
        ],
      });
      const line = firstLine(completion.choices[0]?.message.content ?? '');
      assert.equal(line.attachments, '1');
      assert.equal(line.sha, sha);
    });

    test('a client that disconnects mid-stream stops the site generation', async () => {
      const before = await stack.demoStats();
      const controller = new AbortController();
      const stream = await openai.chat.completions.create(
        { model: 'demo/slow-1', stream: true, messages: [{ role: 'user', content: 'tell me a long story' }] },
        { signal: controller.signal },
      );
      let chunks = 0;
      for await (const _chunk of stream) {
        if (++chunks === 3) controller.abort();
      }
      assert.ok(chunks < 20, `the stream went on after the abort (${chunks} chunks)`);
      // Over the WebSocket transport the adapter stops the generation with the site's stop endpoint.
      const after = await eventually(async () => {
        const stats = await stack.demoStats();
        return (stats.stops ?? 0) > (before.stops ?? 0) && stats.activeGenerations === 0 ? stats : undefined;
      });
      assert.equal(after.activeGenerations, 0);
    });

    test('an Anthropic client that disconnects mid-stream stops the site generation', async () => {
      const before = (await stack.demoStats()).stops ?? 0;
      const controller = new AbortController();
      const stream = anthropic.messages.stream(
        {
          model: 'demo/slow-1',
          max_tokens: 1024,
          messages: [{ role: 'user', content: 'tell me a long story' }],
        },
        { signal: controller.signal },
      );
      let deltas = 0;
      stream.on('text', () => {
        if (++deltas === 3) controller.abort();
      });
      const error = await stream.finalMessage().catch((caught: unknown) => caught);
      assert.ok(error instanceof Anthropic.APIUserAbortError, String(error));
      await eventually(async () => ((await stack.demoStats()).stops ?? 0) > before || undefined);
    });

    test('the site dropping the WebSocket mid-reply becomes an upstream error event', async () => {
      await stack.setFaults({ midStreamDisconnect: 1 });
      let text = '';
      const error = await (async () => {
        const stream = await openai.chat.completions.create({
          model: 'demo/text-1',
          stream: true,
          messages: [{ role: 'user', content: 'count to 40' }],
        });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().catch((caught: unknown) => caught);
      await stack.setFaults({});
      assert.ok(error instanceof OpenAI.APIError, `the stream ended silently after ${JSON.stringify(text)}`);
      assert.equal(error.type, 'server_error');
      assert.equal(error.code, 'upstream_error');
      assert.match(text, /^\[text-1\] /);
    });
  });
}
