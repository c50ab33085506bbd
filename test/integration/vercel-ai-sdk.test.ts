import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, type LanguageModel, streamText } from 'ai';
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

/**
 * How each provider is pointed at the gateway: openai-compatible and openai take the OpenAI base
 * URL (with /v1); so does @ai-sdk/anthropic (its default is https://api.anthropic.com/v1), unlike
 * the Anthropic SDK and Claude Code, which take the origin.
 */
const PROVIDERS: { name: string; model: (stack: Stack, id: string) => LanguageModel }[] = [
  {
    name: '@ai-sdk/openai-compatible (chat completions)',
    model: (stack, id) =>
      createOpenAICompatible({
        name: 'gateway',
        baseURL: stack.openaiBaseUrl,
        apiKey: stack.key,
        includeUsage: true,
      }).chatModel(id),
  },
  {
    name: '@ai-sdk/openai (responses)',
    model: (stack, id) => createOpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key }).responses(id),
  },
  {
    name: '@ai-sdk/anthropic (messages)',
    model: (stack, id) => createAnthropic({ baseURL: `${stack.url}/v1`, apiKey: stack.key })(id),
  },
];

for (const transport of SITE_TRANSPORTS) {
  describe(`Vercel AI SDK → gateway → demo site — ${transport.name}`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ site: transport.site });
    });
    after(() => stack.close());

    for (const provider of PROVIDERS) {
      test(`${provider.name}: generateText with a system prompt`, async () => {
        const system = `You are the ${provider.name} test.`;
        const prompt = 'Reply with the word GUAVA';
        const result = await generateText({
          model: provider.model(stack, 'demo/text-1'),
          system,
          prompt,
          maxRetries: 0,
          maxOutputTokens: 1024,
        });
        const line = firstLine(result.text);
        assert.equal(line.model, 'text-1');
        assert.equal(line.turn, '1');
        assert.equal(line.chars, String(prompt.length));
        assert.equal(line.digest, digest12(prompt));
        assert.equal(line.system, digest12(system));
        assert.match(result.text, /\n\nGUAVA$/);
        assert.equal(result.finishReason, 'stop');
        assert.ok((result.usage.inputTokens ?? 0) > 0, JSON.stringify(result.usage));
        assert.ok((result.usage.outputTokens ?? 0) > 0, JSON.stringify(result.usage));
      });

      test(`${provider.name}: streamText assembles the reply, finish reason and usage`, async () => {
        const errors: unknown[] = [];
        const result = streamText({
          model: provider.model(stack, 'demo/text-1'),
          prompt: 'repeat melon 6 times',
          maxRetries: 0,
          maxOutputTokens: 1024,
          onError: ({ error }) => {
            errors.push(error);
          },
        });
        let streamed = '';
        let chunks = 0;
        for await (const delta of result.textStream) {
          streamed += delta;
          chunks++;
        }
        assert.deepEqual(errors, []);
        assert.ok(chunks > 1, `expected several deltas, got ${chunks}`);
        assert.equal(firstLine(streamed).model, 'text-1');
        assert.match(streamed, /\n\nmelon melon melon melon melon melon$/);
        assert.equal(await result.text, streamed);
        assert.equal(await result.finishReason, 'stop');
        const usage = await result.usage;
        assert.ok((usage.outputTokens ?? 0) > 0, JSON.stringify(usage));
      });
    }

    test('@ai-sdk/anthropic: reasoning-1 with thinking streams reasoning then text', async () => {
      const result = streamText({
        model: createAnthropic({ baseURL: `${stack.url}/v1`, apiKey: stack.key })('demo/reasoning-1'),
        prompt: 'say lychee',
        maxRetries: 0,
        maxOutputTokens: 1024,
        providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
      });
      let reasoning = '';
      let text = '';
      for await (const part of result.fullStream) {
        if (part.type === 'reasoning-delta') reasoning += part.text;
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'error') assert.fail(String(part.error));
      }
      assert.match(reasoning, /^Thinking about turn 1:/);
      assert.equal(firstLine(text).model, 'reasoning-1');
      assert.match(text, /\n\nlychee$/);
    });

    test('@ai-sdk/openai-compatible: an image file part reaches the vision model', async () => {
      const png = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#993' } })
        .png()
        .toBuffer();
      const sha = createHash('sha256').update(png).digest('hex');
      const result = await generateText({
        model: (PROVIDERS[0] as (typeof PROVIDERS)[number]).model(stack, 'demo/vision-1'),
        maxRetries: 0,
        maxOutputTokens: 1024,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', image: png, mediaType: 'image/png' },
            ],
          },
        ],
      });
      const line = firstLine(result.text);
      assert.equal(line.attachments, '1');
      assert.equal(line.sha, sha);
    });
  });
}
