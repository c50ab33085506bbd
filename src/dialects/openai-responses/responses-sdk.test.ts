/** Feeds rendered output through the real `openai` client (with a stand-in fetch) to prove it accepts it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import type { ChatEvent } from '../../core/chat-event.ts';
import { fakeFetch, SCRIPTS } from '../shared/test-support.ts';
import { parseResponsesRequest } from './parse-responses-request.ts';
import { renderResponsesResponse } from './render-responses-response.ts';
import { ResponsesStreamRenderer } from './render-responses-stream.ts';
import type { ResponsesRenderContext } from './responses-render-context.ts';

const PARAMS = { model: 'demo/m', input: 'hi' };
const CTX: ResponsesRenderContext = {
  id: 'resp_1',
  model: 'demo/m',
  createdAt: 1700000000,
  inputTokens: 7,
  echo: parseResponsesRequest(PARAMS).echo,
};

function client(body: string | object): OpenAI {
  return new OpenAI({
    apiKey: 'k',
    baseURL: 'http://gateway.test/v1',
    fetch: fakeFetch(body).fetch,
    maxRetries: 0,
  });
}

function sse(events: readonly ChatEvent[]): string {
  const renderer = new ResponsesStreamRenderer(CTX);
  return [...renderer.start(), renderer.ping(), ...events.flatMap((event) => renderer.push(event))].join('');
}

describe('openai SDK accepts Responses output', () => {
  test('responses.stream() helper: text deltas and final response', async () => {
    const stream = client(sse(SCRIPTS.reasoning)).responses.stream(PARAMS);
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    assert.deepEqual(deltas, ['Answer']);
    assert.equal(final.output_text, 'Answer');
    assert.equal(final.status, 'completed');
    assert.equal(final.usage?.total_tokens, 15);
    assert.deepEqual(
      final.output.map((item) => item.type),
      ['reasoning', 'message'],
    );
  });

  test('responses.stream() helper: function calls', async () => {
    const final = await client(sse(SCRIPTS.textThenTwoToolCalls)).responses.stream(PARAMS).finalResponse();
    const calls = final.output.flatMap((item) =>
      item.type === 'function_call' ? [[item.call_id, item.name, item.arguments]] : [],
    );
    assert.deepEqual(calls, [
      ['call_a', 'a', '{}'],
      ['call_b', 'b', '{"x":1}'],
    ]);
  });

  test('responses.stream() helper: max tokens gives an incomplete response', async () => {
    const final = await client(sse(SCRIPTS.maxTokens)).responses.stream(PARAMS).finalResponse();
    assert.equal(final.status, 'incomplete');
    assert.equal(final.incomplete_details?.reason, 'max_output_tokens');
    assert.equal(final.output_text, 'cut sh');
    assert.equal(final.usage?.output_tokens, 2);
  });

  test('raw stream raises APIError on the mid-stream error event', async () => {
    const stream = await client(sse(SCRIPTS.errorMidStream)).responses.create({ ...PARAMS, stream: true });
    const types: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of stream) types.push(event.type);
      })(),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError);
        assert.match(error.message, /The site stopped answering/);
        return true;
      },
    );
    assert.equal(types[0], 'response.created');
    assert.ok(types.includes('response.output_text.delta'));
  });

  test('non-stream body gets the SDK output_text convenience', async () => {
    const response = await client(renderResponsesResponse(SCRIPTS.plainText, CTX)).responses.create(PARAMS);
    assert.equal(response.output_text, 'Hello, world');
  });
});
