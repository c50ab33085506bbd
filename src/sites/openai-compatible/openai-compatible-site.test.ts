import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';
import type { Site, SiteEvent } from '../../site-contract/site.ts';
import { createOpenAICompatibleSite } from './create-openai-compatible-site.ts';
import { FAKE_OPENAI_KEY, type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.ts';
import { OpenAICompatibleSiteConfigSchema } from './openai-compatible-config.ts';

async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const text = (events: SiteEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
const signal = () => AbortSignal.timeout(10_000);

describe('OpenAI-compatible site against a local fake upstream', () => {
  let upstream: FakeOpenAIServer;
  let site: Site;

  const make = (extra: Record<string, unknown> = {}) =>
    createOpenAICompatibleSite(
      OpenAICompatibleSiteConfigSchema.parse({
        id: 'up',
        kind: 'openai-compatible',
        preset: 'poe',
        baseUrl: upstream.url,
        apiKeyEnv: 'FAKE_UPSTREAM_KEY',
        ...extra,
      }),
      { logger: createLogger('silent'), env: { FAKE_UPSTREAM_KEY: FAKE_OPENAI_KEY } },
    );

  before(async () => {
    upstream = await startFakeOpenAIServer();
    site = make();
  });
  after(async () => {
    await site.close();
    await upstream.close();
  });
  beforeEach(() => upstream.reset());

  test('declares a stateless site with inline uploads', () => {
    assert.equal(site.capabilities.threads, false);
    assert.equal(site.capabilities.deleteThreads, false);
    assert.equal(site.capabilities.uploads, true);
  });

  test('lists models with the key, deduplicated, capabilities from the listing', async () => {
    const models = await site.listModels(signal());
    assert.deepEqual(
      models.map((m) => m.id),
      ['GPT-4o', 'Claude-Sonnet-4.6', 'text-only-router-model'],
    );
    assert.equal(models.find((m) => m.id === 'text-only-router-model')?.capabilities.vision, false);
    assert.equal(models[0]?.capabilities.vision, true, 'Poe preset default');
    assert.equal(upstream.requests[0]?.headers.authorization, `Bearer ${FAKE_OPENAI_KEY}`);
  });

  test('sends the documented request and streams the fixture reply split into small pieces', async () => {
    const events = await collect(
      site.send(
        {
          model: 'GPT-4o',
          text: 'Reply with the word PINEAPPLE',
          systemPrompt: 'Be terse.',
          attachments: [],
          maxOutputTokens: 5,
        },
        signal(),
      ),
    );
    assert.equal(text(events), 'PINEAPPLE');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    const request = upstream.requests.at(-1);
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.accept, 'text/event-stream');
    assert.deepEqual(request?.body, {
      model: 'GPT-4o',
      stream: true,
      max_tokens: 5,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Reply with the word PINEAPPLE' },
      ],
    });
  });

  test('reasoning streams before the answer and a length finish is kept', async () => {
    const events = await collect(
      site.send({ model: 'GPT-4o', text: 'think first', attachments: [] }, signal()),
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'reasoning').map((e) => (e.type === 'reasoning' ? e.delta : '')),
      ['The user wants ', 'one word.'],
    );
    assert.equal(text(events), 'Sure: PINE');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'length' });
  });

  test('native tools pass through and streamed calls come back whole', async () => {
    const events = await collect(
      site.send(
        {
          model: 'GPT-4o',
          text: 'Weather in Paris and Rome?',
          attachments: [],
          tools: [
            {
              kind: 'function',
              name: 'get_weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          ],
          toolChoice: { type: 'auto' },
        },
        signal(),
      ),
    );
    assert.deepEqual(events, [
      { type: 'tool-call', id: 'call_weather_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_weather_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    const body = upstream.requests.at(-1)?.body as Record<string, unknown>;
    assert.equal(body.tool_choice, 'auto');
    assert.equal((body.tools as unknown[]).length, 1);
  });

  test('tool results go back as tool messages', async () => {
    await collect(
      site.send(
        {
          model: 'GPT-4o',
          text: 'history',
          attachments: [],
          tools: [{ kind: 'function', name: 'get_weather' }],
          toolResults: [
            { toolCallId: 'call_weather_paris', name: 'get_weather', content: '18C', isError: false },
          ],
        },
        signal(),
      ),
    );
    const body = upstream.requests.at(-1)?.body as { messages: Array<{ role: string }> };
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['user', 'assistant', 'tool'],
    );
  });

  test('an image upload is kept inline and reaches the upstream as a data URL', async () => {
    const attachment = await site.upload(
      { data: new Uint8Array([137, 80, 78, 71]), filename: 'x.png', mediaType: 'image/png' },
      signal(),
    );
    await collect(site.send({ model: 'GPT-4o', text: 'What is this?', attachments: [attachment] }, signal()));
    const body = upstream.requests.at(-1)?.body as { messages: Array<{ content: unknown }> };
    assert.deepEqual(body.messages[0]?.content, [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } },
    ]);
  });

  test('uploads over the size limit or of unaccepted types are refused before sending', async () => {
    const small = make({ maxUploadBytes: 3 });
    await assert.rejects(
      small.upload({ data: new Uint8Array(4), filename: 'a.png', mediaType: 'image/png' }, signal()),
      (e: unknown) => e instanceof GatewayError && e.kind === 'request_too_large',
    );
    await assert.rejects(
      site.upload(
        { data: new Uint8Array(1), filename: 'a.exe', mediaType: 'application/x-msdownload' },
        signal(),
      ),
      (e: unknown) => e instanceof GatewayError && e.kind === 'invalid_request',
    );
    await small.close();
  });

  test('a mid-stream error fails the stream after the text already sent', async () => {
    upstream.replyWith({ kind: 'fixture', name: 'mid-stream-error.chunks.txt' });
    const seen: SiteEvent[] = [];
    await assert.rejects(
      async () => {
        for await (const event of site.send({ model: 'GPT-4o', text: 'x', attachments: [] }, signal()))
          seen.push(event);
      },
      (e: unknown) =>
        e instanceof GatewayError && e.kind === 'upstream' && /failed to respond/.test(e.message),
    );
    assert.equal(text(seen), 'Partial');
  });

  test('[DONE] without finish_reason still ends with one finish', async () => {
    upstream.replyWith({ kind: 'fixture', name: 'done-without-finish.chunks.txt' });
    const events = await collect(site.send({ model: 'GPT-4o', text: 'x', attachments: [] }, signal()));
    assert.deepEqual(events, [
      { type: 'text', delta: 'PINEAPPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('a JSON answer to a streaming request is still understood', async () => {
    upstream.replyWith({
      kind: 'json',
      body: {
        choices: [{ index: 0, message: { role: 'assistant', content: 'PINEAPPLE' }, finish_reason: 'stop' }],
      },
    });
    const events = await collect(site.send({ model: 'GPT-4o', text: 'x', attachments: [] }, signal()));
    assert.deepEqual(events, [
      { type: 'text', delta: 'PINEAPPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('upstream refusals map to gateway errors (402 Poe points, 429 Retry-After, 5xx)', async () => {
    const cases = [
      {
        status: 402,
        body: { error: { message: 'Insufficient points', type: 'insufficient_quota' } },
        kind: 'rate_limit',
        headers: {},
      },
      {
        status: 429,
        body: { error: { message: 'Slow down' } },
        kind: 'rate_limit',
        headers: { 'retry-after': '12' },
      },
      { status: 500, body: { error: { message: 'oops' } }, kind: 'upstream', headers: {} },
    ] as const;
    for (const c of cases) {
      upstream.replyWith({ kind: 'error', status: c.status, body: c.body, headers: c.headers });
      const error = await collect(site.send({ model: 'GPT-4o', text: 'x', attachments: [] }, signal())).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof GatewayError, String(c.status));
      assert.equal(error.kind, c.kind);
      if (c.status === 402) assert.match(error.message, /Poe points/);
      if (c.status === 429) assert.equal(error.retryAfterSeconds, 12);
    }
  });

  test('a bad key: login throws NeedsLoginError and checkSession says needs-login', async () => {
    const wrong = createOpenAICompatibleSite(
      OpenAICompatibleSiteConfigSchema.parse({
        id: 'bad',
        kind: 'openai-compatible',
        baseUrl: upstream.url,
        apiKey: 'sk-wrong',
      }),
      { logger: createLogger('silent') },
    );
    assert.equal((await wrong.checkSession(signal())).state, 'needs-login');
    await assert.rejects(wrong.login(signal()), (e: unknown) => e instanceof NeedsLoginError);
    await assert.rejects(
      collect(wrong.send({ model: 'GPT-4o', text: 'x', attachments: [] }, signal())),
      (e: unknown) => e instanceof NeedsLoginError,
    );
    await wrong.close();
  });

  test('aborting closes the upstream stream', async () => {
    const controller = new AbortController();
    let texts = 0;
    await assert.rejects(async () => {
      for await (const event of site.send(
        { model: 'GPT-4o', text: 'tell me a long story', attachments: [] },
        controller.signal,
      )) {
        if (event.type === 'text' && ++texts === 2) controller.abort(new Error('client left'));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(upstream.abortedStreams, 1);
  });

  test('static models need no listing; include filters; a missing key is a config error', async () => {
    const fixed = make({
      models: { source: 'static', static: [{ id: 'only-this', capabilities: { nativeTools: false } }] },
    });
    const models = await fixed.listModels(signal());
    assert.deepEqual(
      models.map((m) => [m.id, m.capabilities.nativeTools]),
      [['only-this', false]],
    );
    await fixed.close();
    const filtered = make({ models: { include: ['Claude-*'] } });
    assert.deepEqual(
      (await filtered.listModels(signal())).map((m) => m.id),
      ['Claude-Sonnet-4.6'],
    );
    await filtered.close();
    assert.throws(
      () =>
        createOpenAICompatibleSite(
          OpenAICompatibleSiteConfigSchema.parse({
            id: 'k',
            kind: 'openai-compatible',
            preset: 'poe',
            apiKeyEnv: 'NOPE',
          }),
          { logger: createLogger('silent'), env: {} },
        ),
      /API key/,
    );
  });
});
