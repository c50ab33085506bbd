/** Feeds rendered output through the real `@anthropic-ai/sdk` client (with a stand-in fetch) to prove it accepts it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';
import { fakeFetch, SCRIPTS } from '../shared/test-support.ts';
import { renderAnthropicError } from './render-anthropic-error.ts';
import { renderMessagesResponse } from './render-messages-response.ts';
import { MessagesStreamRenderer } from './render-messages-stream.ts';

const CTX = { id: 'msg_1', model: 'demo/m', inputTokens: 7 };
const PARAMS = { model: 'demo/m', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

function client(
  body: string | object,
  init?: { status?: number; headers?: Record<string, string> },
): Anthropic {
  return new Anthropic({
    apiKey: 'k',
    baseURL: 'http://gateway.test',
    fetch: fakeFetch(body, init).fetch,
    maxRetries: 0,
  });
}

function sse(events: readonly ChatEvent[]): string {
  const renderer = new MessagesStreamRenderer(CTX);
  return [...renderer.start(), renderer.ping(), ...events.flatMap((event) => renderer.push(event))].join('');
}

describe('Anthropic SDK accepts Messages output', () => {
  test('messages.stream() helper: thinking with signature and text', async () => {
    const stream = client(sse(SCRIPTS.reasoning)).messages.stream(PARAMS);
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    assert.equal(text, 'Answer');
    assert.deepEqual(final.content, [
      { type: 'thinking', thinking: 'Thinking.', signature: 'sig-1' },
      { type: 'text', text: 'Answer' },
    ]);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 10);
    assert.equal(final.usage.output_tokens, 5);
  });

  test('messages.stream() helper: tool calls with parsed input', async () => {
    const final = await client(sse(SCRIPTS.textThenTwoToolCalls)).messages.stream(PARAMS).finalMessage();
    assert.deepEqual(final.content, [
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_a', name: 'a', input: {} },
      { type: 'tool_use', id: 'call_b', name: 'b', input: { x: 1 } },
    ]);
    assert.equal(final.stop_reason, 'tool_use');
  });

  test('messages.stream() helper: stop sequence', async () => {
    const final = await client(sse(SCRIPTS.stopSequence)).messages.stream(PARAMS).finalMessage();
    assert.equal(final.stop_reason, 'stop_sequence');
    assert.equal(final.stop_sequence, 'three');
  });

  test('the mid-stream error event raises APIError', async () => {
    await assert.rejects(
      client(sse(SCRIPTS.errorMidStream)).messages.stream(PARAMS).finalMessage(),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.match(error.message, /The site stopped answering/);
        return true;
      },
    );
  });

  test('non-stream body', async () => {
    const message = await client(renderMessagesResponse(SCRIPTS.plainText, CTX)).messages.create(PARAMS);
    assert.deepEqual(message.content, [{ type: 'text', text: 'Hello, world' }]);
  });

  const errors: {
    error: GatewayError;
    cls: new (...args: never[]) => Error;
    status: number;
    type: string;
  }[] = [
    {
      error: new GatewayError('invalid_request', 'bad'),
      cls: Anthropic.BadRequestError,
      status: 400,
      type: 'invalid_request_error',
    },
    {
      error: new GatewayError('authentication', 'no key'),
      cls: Anthropic.AuthenticationError,
      status: 401,
      type: 'authentication_error',
    },
    {
      error: new GatewayError('not_found', 'no model'),
      cls: Anthropic.NotFoundError,
      status: 404,
      type: 'not_found_error',
    },
    {
      error: new GatewayError('rate_limit', 'slow'),
      cls: Anthropic.RateLimitError,
      status: 429,
      type: 'rate_limit_error',
    },
    {
      error: new GatewayError('overloaded', 'busy'),
      cls: Anthropic.InternalServerError,
      status: 529,
      type: 'overloaded_error',
    },
  ];
  for (const c of errors) {
    test(`error response for ${c.error.kind} becomes ${c.cls.name} (${c.status})`, async () => {
      const rendered = renderAnthropicError(c.error);
      await assert.rejects(
        client(rendered.body, { status: rendered.status, headers: rendered.headers }).messages.create(PARAMS),
        (error: unknown) => {
          assert.ok(error instanceof c.cls);
          const apiError = error as InstanceType<typeof Anthropic.APIError>;
          assert.equal(apiError.status, c.status);
          assert.equal((apiError.error as { error: { type: string } }).error.type, c.type);
          return true;
        },
      );
    });
  }
});
