import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type Stack, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

const BODY_LIMIT = 64 * 1024;

type Dialect = 'openai' | 'anthropic';

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const ROUTE: Record<Dialect, string> = { openai: '/v1/chat/completions', anthropic: '/v1/messages' };

function authHeaders(dialect: Dialect, key: string): Record<string, string> {
  return dialect === 'openai'
    ? { authorization: `Bearer ${key}` }
    : { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
}

/** A minimal valid body for the dialect, with `overrides` merged in (`undefined` removes a field). */
function chatBody(dialect: Dialect, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: 'demo/text-1',
    messages: [{ role: 'user', content: 'say fine' }],
    ...(dialect === 'anthropic' ? { max_tokens: 64 } : {}),
    ...overrides,
  };
  for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key];
  return body;
}

async function call(
  stack: Stack,
  dialect: Dialect,
  options: {
    path?: string;
    method?: string;
    body?: string | Buffer | Record<string, unknown>;
    headers?: Record<string, string>;
    auth?: boolean;
  } = {},
): Promise<Answer> {
  const { body } = options;
  const response = await fetch(`${stack.url}${options.path ?? ROUTE[dialect]}`, {
    method: options.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.auth === false
        ? dialect === 'anthropic'
          ? { 'anthropic-version': '2023-06-01' }
          : {}
        : authHeaders(dialect, stack.key)),
      ...(options.headers ?? {}),
    },
    body:
      body === undefined
        ? undefined
        : typeof body === 'string'
          ? body
          : Buffer.isBuffer(body)
            ? new Uint8Array(body)
            : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text; the assertions below will say so
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

interface OpenAIExpectation {
  status: number;
  type: string;
  param: string | null;
  code: string | null;
  message?: RegExp;
}

function assertOpenAIError(answer: Answer, expected: OpenAIExpectation): void {
  const context = JSON.stringify(answer.body);
  assert.equal(answer.status, expected.status, context);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  const body = answer.body as { error?: Record<string, unknown> };
  assert.deepEqual(Object.keys(body), ['error'], context);
  const error = body.error ?? {};
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type'], context);
  assert.equal(error.type, expected.type, context);
  assert.equal(error.param, expected.param, context);
  assert.equal(error.code, expected.code, context);
  assert.equal(typeof error.message, 'string');
  assert.ok((error.message as string).length > 0);
  assert.doesNotMatch(error.message as string, /\n\s+at /, 'a stack trace reached the client');
  if (expected.message) assert.match(error.message as string, expected.message);
}

function assertAnthropicError(answer: Answer, status: number, type: string, message?: RegExp): void {
  const context = JSON.stringify(answer.body);
  assert.equal(answer.status, status, context);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  const body = answer.body as { type?: unknown; error?: Record<string, unknown> };
  assert.deepEqual(Object.keys(body).sort(), ['error', 'type'], context);
  assert.equal(body.type, 'error');
  const error = body.error ?? {};
  assert.deepEqual(Object.keys(error).sort(), ['message', 'type'], context);
  assert.equal(error.type, type, context);
  assert.equal(typeof error.message, 'string');
  assert.ok((error.message as string).length > 0);
  assert.doesNotMatch(error.message as string, /\n\s+at /, 'a stack trace reached the client');
  if (message) assert.match(error.message as string, message);
}

/** The server keeps serving: a good request in the same dialect gets the demo reply. */
async function assertStillServing(stack: Stack, dialect: Dialect): Promise<void> {
  const answer = await call(stack, dialect, { body: chatBody(dialect) });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const text =
    dialect === 'openai'
      ? (answer.body as OpenAI.ChatCompletion).choices[0]?.message.content
      : (answer.body as Anthropic.Message).content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  assert.match(text ?? '', /^\[text-1\] turn=1 [^\n]*\n\nfine$/);
}

const TINY_PNG_BAD_BASE64 = '!!!not*base64@@';

// Refused before the site is reached, so these run over the HTTP transport only; what the site
// itself does wrong runs over every transport below.
describe('bad input → dialect-shaped errors', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      config: { server: { host: '127.0.0.1', port: 0, bodyLimitBytes: BODY_LIMIT } },
    });
  });
  after(() => stack.close());

  describe('OpenAI Chat Completions', () => {
    const d: Dialect = 'openai';
    const invalid = (param: string | null, message?: RegExp): OpenAIExpectation => ({
      status: 400,
      type: 'invalid_request_error',
      param,
      code: null,
      ...(message ? { message } : {}),
    });

    test('malformed JSON → 400', async () => {
      const answer = await call(stack, d, { body: '{"model": "demo/text-1", "messages": [' });
      assertOpenAIError(answer, invalid(null, /JSON/));
      await assertStillServing(stack, d);
    });

    test('wrong types → 400 naming the field', async () => {
      assertOpenAIError(
        await call(stack, d, { body: chatBody(d, { messages: 'hello' }) }),
        invalid('messages'),
      );
      assertOpenAIError(await call(stack, d, { body: chatBody(d, { model: 42 }) }), invalid('model'));
      assertOpenAIError(
        await call(stack, d, { body: chatBody(d, { max_tokens: 'ten' }) }),
        invalid('max_tokens'),
      );
      assertOpenAIError(
        await call(stack, d, { body: chatBody(d, { messages: [{ role: 'wizard', content: 'hi' }] }) }),
        invalid('messages[0].role'),
      );
      await assertStillServing(stack, d);
    });

    test('unknown model → 404 model_not_found (raw and through the SDK)', async () => {
      assertOpenAIError(await call(stack, d, { body: chatBody(d, { model: 'demo/nope-9' }) }), {
        status: 404,
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
        message: /demo\/nope-9/,
      });
      const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      const error = await client.chat.completions
        .create({ model: 'nosuchsite/model', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.code, 'model_not_found');
      await assertStillServing(stack, d);
    });

    test('empty messages → 400', async () => {
      assertOpenAIError(await call(stack, d, { body: chatBody(d, { messages: [] }) }), invalid('messages'));
      await assertStillServing(stack, d);
    });

    test('oversized body → 413, also when a gzip body decompresses beyond the limit', async () => {
      const tooLarge: OpenAIExpectation = {
        status: 413,
        type: 'invalid_request_error',
        param: null,
        code: 'request_too_large',
      };
      const big = chatBody(d, { messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT + 1024) }] });
      assertOpenAIError(await call(stack, d, { body: big }), tooLarge);
      const zipped = gzipSync(JSON.stringify(big));
      assert.ok(zipped.length < BODY_LIMIT / 10, 'the compressed body itself is small');
      assertOpenAIError(
        await call(stack, d, { body: zipped, headers: { 'content-encoding': 'gzip' } }),
        tooLarge,
      );
      // A gzip body under the limit is decompressed and served.
      const ok = await call(stack, d, {
        body: gzipSync(JSON.stringify(chatBody(d, { messages: [{ role: 'user', content: 'say zipped' }] }))),
        headers: { 'content-encoding': 'gzip' },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.match((ok.body as OpenAI.ChatCompletion).choices[0]?.message.content ?? '', /\n\nzipped$/);
      await assertStillServing(stack, d);
    });

    test('invalid base64 image → 400 naming the part', async () => {
      const body = chatBody(d, {
        model: 'demo/vision-1',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BAD_BASE64}` } },
            ],
          },
        ],
      });
      assertOpenAIError(
        await call(stack, d, { body }),
        invalid('messages[0].content[1].image_url.url', /base64/i),
      );
      await assertStillServing(stack, d);
    });

    test('unknown route → 404 in OpenAI shape', async () => {
      const notFound: OpenAIExpectation = {
        status: 404,
        type: 'invalid_request_error',
        param: null,
        code: null,
      };
      assertOpenAIError(await call(stack, d, { path: '/v1/chat/complete', body: chatBody(d) }), notFound);
      assertOpenAIError(await call(stack, d, { path: '/v1/nothing-here', method: 'GET' }), notFound);
      await assertStillServing(stack, d);
    });

    test('missing key and wrong key → 401', async () => {
      const unauthorized: OpenAIExpectation = {
        status: 401,
        type: 'authentication_error',
        param: null,
        code: 'invalid_api_key',
      };
      const missing = await call(stack, d, { auth: false, body: chatBody(d) });
      assertOpenAIError(missing, unauthorized);
      const wrong = await call(stack, d, {
        auth: false,
        headers: { authorization: 'Bearer sk-wrong-0123456789abcdef' },
        body: chatBody(d),
      });
      assertOpenAIError(wrong, unauthorized);
      assert.ok(!JSON.stringify(wrong.body).includes('sk-wrong'), 'the presented key is not echoed');
      const client = new OpenAI({
        baseURL: stack.openaiBaseUrl,
        apiKey: 'sk-wrong-key-00000000',
        maxRetries: 0,
      });
      const error = await client.models.list().catch((caught: unknown) => caught);
      assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
      await assertStillServing(stack, d);
    });

    test('n: 2 → 400 param n', async () => {
      assertOpenAIError(await call(stack, d, { body: chatBody(d, { n: 2 }) }), invalid('n'));
      await assertStillServing(stack, d);
    });
  });

  describe('Anthropic Messages', () => {
    const d: Dialect = 'anthropic';

    test('malformed JSON → 400', async () => {
      const answer = await call(stack, d, { body: '{"model": "demo/text-1", "messages": [' });
      assertAnthropicError(answer, 400, 'invalid_request_error', /JSON/);
      await assertStillServing(stack, d);
    });

    test('wrong types → 400 naming the field', async () => {
      for (const [overrides, field] of [
        [{ messages: 'hello' }, 'messages'],
        [{ model: 42 }, 'model'],
        [{ max_tokens: 'ten' }, 'max_tokens'],
        [{ system: 7 }, 'system'],
      ] as const) {
        const answer = await call(stack, d, { body: chatBody(d, overrides) });
        assertAnthropicError(answer, 400, 'invalid_request_error', new RegExp(field));
      }
      await assertStillServing(stack, d);
    });

    test('unknown model → 404 not_found_error (raw and through the SDK)', async () => {
      const answer = await call(stack, d, { body: chatBody(d, { model: 'demo/nope-9' }) });
      assertAnthropicError(answer, 404, 'not_found_error', /demo\/nope-9/);
      const client = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
      const error = await client.messages
        .create({ model: 'nosuchsite/model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof Anthropic.NotFoundError, String(error));
      const countError = await client.messages
        .countTokens({ model: 'demo/nope-9', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      assert.ok(countError instanceof Anthropic.NotFoundError, String(countError));
      await assertStillServing(stack, d);
    });

    test('empty messages → 400', async () => {
      assertAnthropicError(
        await call(stack, d, { body: chatBody(d, { messages: [] }) }),
        400,
        'invalid_request_error',
        /messages/,
      );
      await assertStillServing(stack, d);
    });

    test('missing max_tokens → 400', async () => {
      assertAnthropicError(
        await call(stack, d, { body: chatBody(d, { max_tokens: undefined }) }),
        400,
        'invalid_request_error',
        /max_tokens/,
      );
      await assertStillServing(stack, d);
    });

    test('oversized body → 413, also when a gzip body decompresses beyond the limit', async () => {
      const big = chatBody(d, { messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT + 1024) }] });
      assertAnthropicError(await call(stack, d, { body: big }), 413, 'request_too_large');
      assertAnthropicError(
        await call(stack, d, {
          body: gzipSync(JSON.stringify(big)),
          headers: { 'content-encoding': 'gzip' },
        }),
        413,
        'request_too_large',
      );
      await assertStillServing(stack, d);
    });

    test('invalid base64 image → 400', async () => {
      const body = chatBody(d, {
        model: 'demo/vision-1',
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image',
                source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BAD_BASE64 },
              },
              { type: 'text', text: 'what is this' },
            ],
          },
        ],
      });
      assertAnthropicError(
        await call(stack, d, { body }),
        400,
        'invalid_request_error',
        /messages\[0\]\.content\[0\]\.source\.data/,
      );
      await assertStillServing(stack, d);
    });

    test('unknown route → 404 not_found_error', async () => {
      assertAnthropicError(
        await call(stack, d, { path: '/v1/messages/nope', body: chatBody(d) }),
        404,
        'not_found_error',
      );
      // Any route an Anthropic client calls (anthropic-version header) answers in its shape.
      assertAnthropicError(
        await call(stack, d, { path: '/v1/nothing-here', method: 'GET' }),
        404,
        'not_found_error',
      );
      await assertStillServing(stack, d);
    });

    test('missing key and wrong key → 401 authentication_error', async () => {
      assertAnthropicError(
        await call(stack, d, { auth: false, body: chatBody(d) }),
        401,
        'authentication_error',
      );
      assertAnthropicError(
        await call(stack, d, {
          auth: false,
          headers: { 'x-api-key': 'sk-ant-wrong-000000000' },
          body: chatBody(d),
        }),
        401,
        'authentication_error',
      );
      const client = new Anthropic({ baseURL: stack.url, apiKey: 'sk-ant-wrong-000000000', maxRetries: 0 });
      const error = await client.messages
        .create({ model: 'demo/text-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
      await assertStillServing(stack, d);
    });
  });
});

for (const transport of SITE_TRANSPORTS) {
  describe(`site failures and limits → dialect-shaped errors — ${transport.name}`, () => {
    let stack: Stack;
    let limited: Stack;
    before(async () => {
      [stack, limited] = await Promise.all([
        // slow-1 at 200 ms a word: the drop after 3 chunks comes ~0.6 s in, surely after the first
        // event reached the gateway in every browser mode (a drop before it is retried, rightly).
        startStack({ demo: { slowWordDelayMs: 200 }, site: transport.site }),
        startStack({ demo: { rateLimitPerMinute: 2 }, site: transport.site }),
      ]);
    });
    after(async () => {
      await Promise.all([stack.close(), limited.close()]);
    });

    describe('site failures', () => {
      test('one site 500 before the first byte is retried transparently', async () => {
        for (const stream of [false, true]) {
          await stack.setFaults({ http500: 1 });
          const answer = await call(stack, 'openai', { body: chatBody('openai', { stream }) });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
        }
        await stack.setFaults({});
      });

      test('site fails twice before streaming (http500) → 5xx in each dialect, streamed or not', async () => {
        for (const stream of [false, true]) {
          await stack.setFaults({ http500: 2 });
          const openai = await call(stack, 'openai', { body: chatBody('openai', { stream }) });
          assert.ok(openai.status >= 500 && openai.status < 600, `status ${openai.status}`);
          assertOpenAIError(openai, {
            status: openai.status,
            type: 'server_error',
            param: null,
            code: 'upstream_error',
          });

          await stack.setFaults({ http500: 2 });
          const anthropic = await call(stack, 'anthropic', { body: chatBody('anthropic', { stream }) });
          assert.ok(anthropic.status >= 500 && anthropic.status < 600, `status ${anthropic.status}`);
          assertAnthropicError(anthropic, anthropic.status, 'api_error');
        }
        await stack.setFaults({});
        await assertStillServing(stack, 'openai');
        await assertStillServing(stack, 'anthropic');
      });

      test('site drops the stream after it began → OpenAI SDK raises APIError while iterating', async () => {
        const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
        await stack.setFaults({ midStreamDisconnect: 1 });
        let text = '';
        const error = await (async () => {
          const stream = await client.chat.completions.create({
            model: 'demo/slow-1',
            stream: true,
            messages: [{ role: 'user', content: 'count to 40' }],
          });
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        })().catch((caught: unknown) => caught);
        assert.ok(
          error instanceof OpenAI.APIError,
          `the stream ended silently after ${JSON.stringify(text)}`,
        );
        assert.equal(error.type, 'server_error');
        assert.match(text, /^\[slow-1\] /, 'streaming had begun');
        assert.doesNotMatch(text, /40$/);
        await assertStillServing(stack, 'openai');
      });

      test('site drops the stream after it began → Responses stream raises APIError', async () => {
        const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
        await stack.setFaults({ midStreamDisconnect: 1 });
        const types: string[] = [];
        const error = await (async () => {
          const stream = await client.responses.create({
            model: 'demo/slow-1',
            stream: true,
            input: 'count to 40',
          });
          for await (const event of stream) types.push(event.type);
        })().catch((caught: unknown) => caught);
        assert.ok(error instanceof OpenAI.APIError, `the stream ended silently: ${types.join()}`);
        assert.ok(types.includes('response.output_text.delta'), types.join());
        assert.ok(!types.includes('response.completed'), types.join());
      });

      test('site drops the stream after it began → Anthropic SDK raises', async () => {
        const client = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
        await stack.setFaults({ midStreamDisconnect: 1 });
        let text = '';
        const stream = client.messages.stream({
          model: 'demo/slow-1',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'count to 40' }],
        });
        stream.on('text', (delta) => {
          text += delta;
        });
        const error = await stream.finalMessage().catch((caught: unknown) => caught);
        assert.ok(
          error instanceof Anthropic.APIError,
          `the stream ended silently after ${JSON.stringify(text)}`,
        );
        const body = error.error as { type?: string; error?: { type?: string; message?: unknown } };
        assert.equal(body.type, 'error');
        assert.equal(body.error?.type, 'api_error');
        assert.equal(typeof body.error?.message, 'string');
        assert.match(text, /^\[slow-1\] /, 'streaming had begun');
        await assertStillServing(stack, 'anthropic');
      });

      test('a dropped site stream is reported as an upstream failure, not an internal error', async () => {
        await stack.setFaults({ midStreamDisconnect: 1 });
        const openai = await fetch(`${stack.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...authHeaders('openai', stack.key), 'content-type': 'application/json' },
          body: JSON.stringify(
            chatBody('openai', {
              model: 'demo/slow-1',
              stream: true,
              messages: [{ role: 'user', content: 'count to 40' }],
            }),
          ),
        });
        const frames = (await openai.text()).split('\n\n').filter((frame) => frame.includes('"error"'));
        assert.equal(frames.length, 1);
        const event = JSON.parse((frames[0] ?? '').replace(/^data: /, '')) as { error: OpenAI.ErrorObject };
        assert.equal(event.error.code, 'upstream_error');
        assert.doesNotMatch(event.error.message, /internal/i);
      });
    });

    describe('site rate limit', () => {
      test('the demo rate limit → 429 with retry-after in both dialects', async () => {
        // rateLimitPerMinute: 2 — two requests pass, the next ones are refused by the site.
        for (let i = 0; i < 2; i++) {
          const answer = await call(limited, 'openai', { body: chatBody('openai') });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
        }
        const openai = await call(limited, 'openai', { body: chatBody('openai') });
        assertOpenAIError(openai, {
          status: 429,
          type: 'rate_limit_error',
          param: null,
          code: 'rate_limit_exceeded',
        });
        const openaiRetry = Number(openai.headers.get('retry-after'));
        assert.ok(openaiRetry > 0 && openaiRetry <= 60, `retry-after ${openai.headers.get('retry-after')}`);
        assert.notEqual(openai.headers.get('x-should-retry'), 'false');

        for (const stream of [false, true]) {
          const anthropic = await call(limited, 'anthropic', { body: chatBody('anthropic', { stream }) });
          assertAnthropicError(anthropic, 429, 'rate_limit_error');
          const retry = Number(anthropic.headers.get('retry-after'));
          assert.ok(retry > 0 && retry <= 60, `retry-after ${anthropic.headers.get('retry-after')}`);
        }

        const client = new OpenAI({ baseURL: limited.openaiBaseUrl, apiKey: limited.key, maxRetries: 0 });
        const error = await client.chat.completions
          .create({ model: 'demo/text-1', messages: [{ role: 'user', content: 'hi' }] })
          .catch((caught: unknown) => caught);
        assert.ok(error instanceof OpenAI.RateLimitError, String(error));
      });
    });
  });
}
