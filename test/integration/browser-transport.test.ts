import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import sharp from 'sharp';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';

// The official SDKs through the gateway, with the demo site driven inside real Chromium.
for (const browserMode of ['in-page-fetch', 'network-capture', 'dom'] as const) {
  describe(`gateway over the browser transport (${browserMode})`, () => {
    let stack: Stack;
    let openai: OpenAI;
    before(async () => {
      stack = await startStack({
        demo: { slowWordDelayMs: 40 },
        site: { transport: 'browser', browserMode },
      });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    test('chat completions, streamed, then continued in the same site thread', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'Reply with the word PINEAPPLE' },
      ];
      const stream = await openai.chat.completions.create({ model: 'demo/text-1', stream: true, messages });
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.match(text, /^\[text-1\] turn=1 [\s\S]*PINEAPPLE$/);
      assert.equal(finish, 'stop');
      messages.push({ role: 'assistant', content: text }, { role: 'user', content: 'say MANGO' });
      const second = await openai.chat.completions.create({ model: 'demo/text-1', messages });
      assert.match(second.choices[0]?.message.content ?? '', /^\[text-1\] turn=2 [\s\S]*MANGO$/);
    });

    test('Anthropic messages.stream() with thinking on the reasoning model', async () => {
      const anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
      const message = await anthropic.messages
        .stream({
          model: 'demo/reasoning-1',
          max_tokens: 500,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          messages: [{ role: 'user', content: 'say hello' }],
        })
        .finalMessage();
      assert.deepEqual(
        message.content.map((block) => block.type),
        ['thinking', 'text'],
      );
    });

    test('Responses API with an image', async () => {
      const png = await sharp({ create: { width: 5, height: 4, channels: 3, background: '#15a' } })
        .png()
        .toBuffer();
      const response = await openai.responses.create({
        model: 'demo/vision-1',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'what is this' },
              {
                type: 'input_image',
                image_url: `data:image/png;base64,${png.toString('base64')}`,
                detail: 'auto',
              },
            ],
          },
        ],
      });
      assert.ok(
        response.output_text.includes(createHash('sha256').update(png).digest('hex')),
        response.output_text,
      );
    });

    test('a client disconnect stops the generation on the site', async () => {
      const before = await stack.demoStats();
      const controller = new AbortController();
      const stream = await openai.chat.completions.create(
        { model: 'demo/slow-1', stream: true, messages: [{ role: 'user', content: 'tell me a long story' }] },
        { signal: controller.signal },
      );
      let chunks = 0;
      for await (const _chunk of stream) if (++chunks === 3) controller.abort();
      await eventually(async () => {
        const now = await stack.demoStats();
        const stopped = (now.clientAborts ?? 0) + (now.stops ?? 0);
        return stopped > (before.clientAborts ?? 0) + (before.stops ?? 0) || undefined;
      }, 10_000);
    });
  });
}

describe('gateway over the browser transport: function calling (in-page fetch)', () => {
  test('native and emulated tool calls reach the SDK', async () => {
    const stack = await startStack({ site: { transport: 'browser', browserMode: 'in-page-fetch' } });
    try {
      const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      for (const model of ['demo/tools-1', 'demo/text-1']) {
        const completion = await openai.chat.completions.create({
          model,
          messages: [{ role: 'user', content: 'call tool get_time with {"zone":"UTC"}' }],
          tools: [
            {
              type: 'function',
              function: {
                name: 'get_time',
                parameters: { type: 'object', properties: { zone: { type: 'string' } } },
              },
            },
          ],
        });
        const call = completion.choices[0]?.message.tool_calls?.[0];
        assert.ok(call && call.type === 'function', model);
        assert.deepEqual(JSON.parse(call.function.arguments), { zone: 'UTC' });
      }
    } finally {
      await stack.close();
    }
  });
});
