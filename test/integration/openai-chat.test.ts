import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';
import { isUiMode, SITE_TRANSPORTS } from '../support/site-transports.ts';

const FIRST_LINE =
  /^\[(?<model>[\w-]+)\] turn=(?<turn>\d+) attachments=(?<attachments>\d+) sha256=(?<sha>\S+) chars=(?<chars>\d+)/;

for (const transport of SITE_TRANSPORTS) {
  describe(`openai SDK → /v1/chat/completions → demo site — ${transport.name}`, () => {
    let stack: Stack;
    let client: OpenAI;
    before(async () => {
      stack = await startStack({ demo: { slowWordDelayMs: 200 }, site: transport.site });
      client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    test('non-streaming reply proves the text reached the site', async () => {
      const completion = await client.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'Reply with the word PINEAPPLE' }],
      });
      const text = completion.choices[0]?.message.content ?? '';
      const first = FIRST_LINE.exec(text);
      assert.equal(first?.groups?.model, 'text-1');
      assert.equal(first?.groups?.chars, String('Reply with the word PINEAPPLE'.length));
      assert.match(text, /PINEAPPLE$/);
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
      assert.equal(completion.object, 'chat.completion');
      assert.ok((completion.usage?.completion_tokens ?? 0) > 0);
    });

    test('streaming with include_usage: role first, finish_reason, usage chunk, text matches', async () => {
      const stream = await client.chat.completions.create({
        model: 'demo/text-1',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'repeat kiwi 3 times' }],
      });
      let text = '';
      let role: string | undefined;
      let finish: string | null | undefined;
      let usageChunk: OpenAI.Chat.Completions.ChatCompletionChunk | undefined;
      for await (const chunk of stream) {
        if (chunk.choices.length === 0) usageChunk = chunk;
        for (const choice of chunk.choices) {
          role ??= choice.delta.role;
          text += choice.delta.content ?? '';
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
      assert.equal(role, 'assistant');
      assert.equal(finish, 'stop');
      assert.match(text, /kiwi kiwi kiwi$/);
      assert.ok(usageChunk?.usage && usageChunk.usage.total_tokens > 0);
    });

    test('the .stream() helper assembles the final message', async () => {
      const runner = client.chat.completions.stream({
        model: 'demo/reasoning-1',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'say hello' },
        ],
      });
      const final = await runner.finalChatCompletion();
      const text = final.choices[0]?.message.content ?? '';
      assert.match(text, /^\[reasoning-1\] turn=1/);
      const systemDigest = createHash('sha256').update('Be brief.').digest('hex').slice(0, 12);
      assert.ok(text.includes(`system=${systemDigest}`), text);
    });

    test('image input as a data URL reaches the vision model byte for byte', async () => {
      const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#c33' } })
        .png()
        .toBuffer();
      const sha = createHash('sha256').update(png).digest('hex');
      const completion = await client.chat.completions.create({
        model: 'demo/vision-1',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
            ],
          },
        ],
      });
      const text = completion.choices[0]?.message.content ?? '';
      assert.equal(FIRST_LINE.exec(text)?.groups?.attachments, '1');
      assert.ok(text.includes(sha), text);
    });

    test('a client that disconnects mid-stream aborts the site generation', async () => {
      // Over the API the gateway drops the site's stream; through the chat UI it presses stop.
      const counter = isUiMode(transport) ? 'stops' : 'clientAborts';
      const before = (await stack.demoStats())[counter] ?? 0;
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: 'demo/slow-1', stream: true, messages: [{ role: 'user', content: 'tell me a long story' }] },
        { signal: controller.signal },
      );
      let chunks = 0;
      // The SDK ends the iteration quietly when its signal aborts.
      for await (const _chunk of stream) {
        if (++chunks === 3) controller.abort();
      }
      assert.ok(chunks < 20, `the stream went on after the abort (${chunks} chunks)`);
      await eventually(async () => {
        const stats = await stack.demoStats();
        return ((stats[counter] ?? 0) > before && stats.activeGenerations === 0) || undefined;
      });
    });
  });
}
