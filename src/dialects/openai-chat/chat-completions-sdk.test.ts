/** Feeds rendered output through the real `openai` client (with a stand-in fetch) to prove it accepts it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';
import { renderOpenAIError } from '../shared/render-openai-error.ts';
import { fakeFetch, SCRIPTS } from '../shared/test-support.ts';
import { renderChatCompletionResponse } from './render-chat-completions-response.ts';
import { ChatCompletionsStreamRenderer } from './render-chat-completions-stream.ts';

const CTX = { id: 'chatcmpl-1', model: 'demo/m', createdAt: 1700000000, inputTokens: 7 };
const PARAMS = { model: 'demo/m', messages: [{ role: 'user' as const, content: 'hi' }] };

function client(body: string | object, init?: { status?: number; headers?: Record<string, string> }): OpenAI {
  return new OpenAI({
    apiKey: 'k',
    baseURL: 'http://gateway.test/v1',
    fetch: fakeFetch(body, init).fetch,
    maxRetries: 0,
  });
}

function sse(events: readonly ChatEvent[], includeUsage = false): string {
  const renderer = new ChatCompletionsStreamRenderer({ ...CTX, includeUsage });
  return [...renderer.start(), renderer.ping(), ...events.flatMap((event) => renderer.push(event))].join('');
}

describe('openai SDK accepts Chat Completions output', () => {
  test('stream helper assembles text and reasoning-free message', async () => {
    const stream = client(sse(SCRIPTS.plainText, true)).chat.completions.stream({ ...PARAMS, stream: true });
    const final = await stream.finalChatCompletion();
    assert.equal(final.choices[0]?.message.content, 'Hello, world');
    assert.equal(final.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(final.usage, { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 });
  });

  test('stream helper assembles streamed tool calls', async () => {
    const stream = client(sse(SCRIPTS.textThenTwoToolCalls)).chat.completions.stream({
      ...PARAMS,
      stream: true,
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    assert.equal(message?.content, 'Checking.');
    assert.deepEqual(
      message?.tool_calls?.map((call) =>
        call.type === 'function' ? [call.id, call.function.name, call.function.arguments] : [],
      ),
      [
        ['call_a', 'a', '{}'],
        ['call_b', 'b', '{"x":1}'],
      ],
    );
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
  });

  test('raw stream raises APIError on the mid-stream error frame', async () => {
    const stream = await client(sse(SCRIPTS.errorMidStream)).chat.completions.create({
      ...PARAMS,
      stream: true,
    });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.equal(error.message, 'The site stopped answering.');
        assert.equal(error.code, 'upstream_error');
        return true;
      },
    );
    assert.deepEqual(seen, ['', 'Partial']);
  });

  test('non-stream body', async () => {
    const completion = await client(
      renderChatCompletionResponse(SCRIPTS.oneToolCall, CTX),
    ).chat.completions.create(PARAMS);
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(completion.choices[0]?.message.content, null);
  });

  const errors: { error: GatewayError; cls: new (...args: never[]) => Error; code: string | null }[] = [
    {
      error: new GatewayError('invalid_request', 'bad', { param: 'n' }),
      cls: OpenAI.BadRequestError,
      code: null,
    },
    {
      error: new GatewayError('authentication', 'no key'),
      cls: OpenAI.AuthenticationError,
      code: 'invalid_api_key',
    },
    {
      error: new GatewayError('not_found', 'no such model', { param: 'model' }),
      cls: OpenAI.NotFoundError,
      code: 'model_not_found',
    },
    {
      error: new GatewayError('rate_limit', 'slow down', { retryAfterSeconds: 3 }),
      cls: OpenAI.RateLimitError,
      code: 'rate_limit_exceeded',
    },
    { error: new GatewayError('internal', 'oops'), cls: OpenAI.InternalServerError, code: null },
  ];
  for (const c of errors) {
    test(`error response for ${c.error.kind} becomes ${c.cls.name}`, async () => {
      const rendered = renderOpenAIError(c.error);
      await assert.rejects(
        client(rendered.body, { status: rendered.status, headers: rendered.headers }).chat.completions.create(
          PARAMS,
        ),
        (error: unknown) => {
          assert.ok(error instanceof c.cls);
          assert.equal((error as InstanceType<typeof OpenAI.APIError>).code, c.code);
          assert.equal((error as InstanceType<typeof OpenAI.APIError>).param ?? null, c.error.param ?? null);
          return true;
        },
      );
    });
  }
});
