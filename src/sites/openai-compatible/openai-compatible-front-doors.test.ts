import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createLogger } from '../../core/logger.ts';
import { createOpenAICompatibleSite } from './create-openai-compatible-site.ts';
import { FAKE_OPENAI_KEY, type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.ts';
import { type GatewayWithSites, startGatewayWithSites } from '../../../test/support/gateway-with-sites.ts';
import { OpenAICompatibleSiteConfigSchema } from './openai-compatible-config.ts';

/** A real 1×1 PNG, so the attachment pipeline's media checks accept it. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const WEATHER: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

type UpstreamBody = {
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }>;
  tools?: Array<{ function: { name: string } }>;
};

describe('OpenAI-compatible upstream through all three front doors', () => {
  let upstream: FakeOpenAIServer;
  let gateway: GatewayWithSites;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const lastUpstreamBody = () =>
    upstream.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)?.body as UpstreamBody;

  before(async () => {
    upstream = await startFakeOpenAIServer();
    const site = createOpenAICompatibleSite(
      OpenAICompatibleSiteConfigSchema.parse({
        id: 'up',
        kind: 'openai-compatible',
        preset: 'poe',
        baseUrl: upstream.url,
        apiKey: FAKE_OPENAI_KEY,
      }),
      { logger: createLogger('silent') },
    );
    gateway = await startGatewayWithSites([site]);
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });
  beforeEach(() => upstream.reset());

  test('/v1/models lists the upstream models under the site id', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assert.ok(ids.includes('up/GPT-4o'), ids.join(', '));
  });

  test('chat completions, streamed: the upstream text arrives as deltas with a stop finish', async () => {
    const stream = await openai.chat.completions.create({
      model: 'up/GPT-4o',
      stream: true,
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Reply with the word PINEAPPLE' },
      ],
    });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, 'PINEAPPLE');
    assert.equal(finish, 'stop');
    const body = lastUpstreamBody();
    assert.deepEqual(
      body.messages[0],
      { role: 'system', content: 'Answer in one word.' },
      'system prompt passes natively',
    );
  });

  test('chat completions tool loop: native calls out, tool results back as tool messages', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris and Rome?' },
    ];
    const first = await openai.chat.completions.create({ model: 'up/GPT-4o', messages, tools: [WEATHER] });
    const choice = first.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    const calls = choice?.message.tool_calls ?? [];
    assert.deepEqual(
      calls.map((c) =>
        c.type === 'function' ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : [],
      ),
      [
        ['call_weather_paris', 'get_weather', { city: 'Paris' }],
        ['call_weather_rome', 'get_weather', { city: 'Rome' }],
      ],
    );
    assert.equal(lastUpstreamBody().tools?.[0]?.function.name, 'get_weather', 'tools pass through natively');
    messages.push(choice!.message);
    messages.push({ role: 'tool', tool_call_id: 'call_weather_paris', content: 'sunny, 21 C' });
    messages.push({ role: 'tool', tool_call_id: 'call_weather_rome', content: 'rain, 14 C' });
    const second = await openai.chat.completions.create({ model: 'up/GPT-4o', messages, tools: [WEATHER] });
    assert.equal(second.choices[0]?.finish_reason, 'stop');
    const body = lastUpstreamBody();
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['user', 'assistant', 'tool', 'tool'],
    );
    assert.deepEqual(body.messages[1]?.tool_calls, [
      {
        id: 'call_weather_paris',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'call_weather_rome',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
      },
    ]);
    assert.deepEqual(
      body.messages.slice(2).map((m) => [m.tool_call_id, m.content]),
      [
        ['call_weather_paris', 'sunny, 21 C'],
        ['call_weather_rome', 'rain, 14 C'],
      ],
    );
  });

  test('vision: an image data URL reaches the upstream as an image_url part', async () => {
    const reply = await openai.chat.completions.create({
      model: 'up/GPT-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          ],
        },
      ],
    });
    assert.equal(reply.choices[0]?.message.content, 'PINEAPPLE');
    const content = lastUpstreamBody().messages[0]?.content as Array<{
      type: string;
      image_url?: { url: string };
    }>;
    assert.equal(content[0]?.type, 'text');
    assert.equal(content[1]?.type, 'image_url');
    assert.match(content[1]?.image_url?.url ?? '', /^data:image\/png;base64,/);
  });

  test('responses API: text and function calls', async () => {
    const text = await openai.responses.create({
      model: 'up/GPT-4o',
      input: 'Reply with the word PINEAPPLE',
    });
    assert.equal(text.output_text, 'PINEAPPLE');
    const calls = await openai.responses.create({
      model: 'up/GPT-4o',
      input: 'Weather in Paris and Rome?',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          parameters: WEATHER.function.parameters ?? {},
          strict: false,
        },
      ],
    });
    const names = calls.output
      .filter((item) => item.type === 'function_call')
      .map((item) => item.type === 'function_call' && item.name);
    assert.deepEqual(names, ['get_weather', 'get_weather']);
  });

  test('anthropic messages (Anthropic → OpenAI translation): streamed text, then tool_use and tool_result', async () => {
    const stream = anthropic.messages.stream({
      model: 'up/GPT-4o',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Reply with the word PINEAPPLE' }],
    });
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'end_turn');
    assert.deepEqual(
      message.content.map((b) => (b.type === 'text' ? b.text : b.type)),
      ['PINEAPPLE'],
    );
    const upstreamBody = lastUpstreamBody();
    assert.deepEqual(upstreamBody.messages[0], { role: 'system', content: 'Be brief.' });

    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const first = await anthropic.messages.create({
      model: 'up/GPT-4o',
      max_tokens: 100,
      tools,
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
    });
    assert.equal(first.stop_reason, 'tool_use');
    const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    assert.deepEqual(
      uses.map((u) => [u.name, u.input]),
      [
        ['get_weather', { city: 'Paris' }],
        ['get_weather', { city: 'Rome' }],
      ],
    );
    const second = await anthropic.messages.create({
      model: 'up/GPT-4o',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: uses.map((u) => ({
            type: 'tool_result' as const,
            tool_use_id: u.id,
            content: `fine in ${String((u.input as { city: string }).city)}`,
          })),
        },
      ],
    });
    assert.equal(second.stop_reason, 'end_turn');
    const body = lastUpstreamBody();
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['user', 'assistant', 'tool', 'tool'],
    );
    assert.deepEqual(
      body.messages.slice(2).map((m) => m.content),
      ['fine in Paris', 'fine in Rome'],
    );
  });

  test('an upstream 402 (Poe points) reaches OpenAI and Anthropic clients as a clear rate-limit error', async () => {
    upstream.replyWith({ kind: 'error', status: 402, body: { error: { message: 'Insufficient points' } } });
    await assert.rejects(
      openai.chat.completions.create({ model: 'up/GPT-4o', messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 429 && /Poe points/.test(e.message),
    );
    await assert.rejects(
      anthropic.messages.create({
        model: 'up/GPT-4o',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e: unknown) => e instanceof Anthropic.APIError && e.status === 429 && /Poe points/.test(e.message),
    );
  });
});
