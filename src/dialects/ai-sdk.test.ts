/**
 * Feeds rendered streams through the Vercel AI SDK providers (with a stand-in fetch): the
 * openai-compatible provider reads Chat Completions, `@ai-sdk/openai` reads Responses and
 * `@ai-sdk/anthropic` reads Messages. Proves the third big client family parses the output too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { type LanguageModel, streamText } from 'ai';
import type { ChatEvent } from '../core/chat-event.ts';
import { MessagesStreamRenderer } from './anthropic-messages/render-messages-stream.ts';
import { ChatCompletionsStreamRenderer } from './openai-chat/render-chat-completions-stream.ts';
import { parseResponsesRequest } from './openai-responses/parse-responses-request.ts';
import { ResponsesStreamRenderer } from './openai-responses/render-responses-stream.ts';
import { fakeFetch, SCRIPTS } from './shared/test-support.ts';

interface Renderer {
  start(): string[];
  push(event: ChatEvent): string[];
  ping(): string;
}

const BASE = { id: 'id_1', model: 'demo/m', createdAt: 1700000000, inputTokens: 7 };

const DIALECTS: {
  name: string;
  renderer: () => Renderer;
  model: (fetch: typeof globalThis.fetch) => LanguageModel;
}[] = [
  {
    name: 'openai-compatible (Chat Completions)',
    renderer: () => new ChatCompletionsStreamRenderer({ ...BASE, includeUsage: true }),
    model: (fetch) =>
      createOpenAICompatible({ name: 'gw', baseURL: 'http://gateway.test/v1', apiKey: 'k', fetch })('demo/m'),
  },
  {
    name: '@ai-sdk/openai (Responses)',
    renderer: () =>
      new ResponsesStreamRenderer({
        ...BASE,
        echo: parseResponsesRequest({ model: 'demo/m', input: 'x' }).echo,
      }),
    model: (fetch) =>
      createOpenAI({ baseURL: 'http://gateway.test/v1', apiKey: 'k', fetch }).responses('demo/m'),
  },
  {
    name: '@ai-sdk/anthropic (Messages)',
    renderer: () => new MessagesStreamRenderer(BASE),
    model: (fetch) => createAnthropic({ baseURL: 'http://gateway.test/v1', apiKey: 'k', fetch })('demo/m'),
  },
];

function run(dialect: (typeof DIALECTS)[number], events: readonly ChatEvent[]) {
  const renderer = dialect.renderer();
  const body = [
    ...renderer.start(),
    renderer.ping(),
    ...events.flatMap((event) => renderer.push(event)),
  ].join('');
  const errors: unknown[] = [];
  const result = streamText({
    model: dialect.model(fakeFetch(body).fetch as typeof globalThis.fetch),
    prompt: 'hi',
    maxOutputTokens: 100,
    maxRetries: 0,
    onError: ({ error }) => {
      errors.push(error);
    },
  });
  return { result, errors };
}

for (const dialect of DIALECTS) {
  describe(`AI SDK accepts ${dialect.name}`, () => {
    test('text, reasoning, usage and finish reason', async () => {
      const { result } = run(dialect, SCRIPTS.reasoning);
      assert.equal(await result.text, 'Answer');
      assert.equal(await result.reasoningText, 'Thinking.');
      assert.equal(await result.finishReason, 'stop');
      const usage = await result.usage;
      assert.equal(usage.inputTokens, 10);
      assert.equal(usage.outputTokens, 5);
    });

    test('streamed tool calls', async () => {
      const { result } = run(dialect, SCRIPTS.textThenTwoToolCalls);
      const calls = (await result.toolCalls).map((call) => [call.toolCallId, call.toolName, call.input]);
      assert.deepEqual(calls, [
        ['call_a', 'a', {}],
        ['call_b', 'b', { x: 1 }],
      ]);
      assert.equal(await result.finishReason, 'tool-calls');
    });

    test('max tokens hit is finish reason length', async () => {
      const { result } = run(dialect, SCRIPTS.maxTokens);
      assert.equal(await result.text, 'cut sh');
      assert.equal(await result.finishReason, 'length');
    });

    test('a mid-stream error reaches the caller', async () => {
      const { result, errors } = run(dialect, SCRIPTS.errorMidStream);
      const parts: string[] = [];
      for await (const part of result.fullStream) parts.push(part.type);
      assert.ok(parts.includes('error'), `no error part in ${parts.join(',')}`);
      assert.match(
        String((errors[0] as Error | undefined)?.message ?? errors[0]),
        /The site stopped answering/,
      );
    });
  });
}
