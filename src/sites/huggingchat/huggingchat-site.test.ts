import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import type { Site, SiteEvent } from '../../site-contract/site.ts';
import { createHuggingChatSite } from './create-huggingchat-site.ts';
import {
  FAKE_HF_COOKIE,
  FAKE_HF_TOKEN,
  type FakeHuggingChatServer,
  startFakeHuggingChatServer,
} from './fake-huggingchat-server.ts';
import { HuggingChatSiteConfigSchema } from './huggingchat-config.ts';

async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const text = (events: SiteEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
const signal = () => AbortSignal.timeout(10_000);

describe('HuggingChat site against a local fake chat-ui', () => {
  let fake: FakeHuggingChatServer;
  let site: Site;
  const make = (auth: Record<string, unknown>) =>
    createHuggingChatSite(
      HuggingChatSiteConfigSchema.parse({ id: 'hf', kind: 'huggingchat', baseUrl: fake.url, ...auth }),
      {
        logger: createLogger('silent'),
        env: { HF_TOKEN: FAKE_HF_TOKEN, HF_COOKIE: FAKE_HF_COOKIE },
      },
    );

  before(async () => {
    fake = await startFakeHuggingChatServer();
    site = make({ tokenEnv: 'HF_TOKEN' });
  });
  after(async () => {
    await site.close();
    await fake.close();
  });
  beforeEach(() => fake.replyWith(undefined));

  test('token auth: the session is a named user; models come unwrapped from superjson, unlisted ones hidden', async () => {
    assert.deepEqual(await site.checkSession(signal()), { state: 'ok', user: 'tester' });
    const models = await site.listModels(signal());
    assert.deepEqual(
      models.map((m) => [m.id, m.displayName, m.capabilities.vision]),
      [
        ['omni', 'Omni', true],
        ['Qwen/Qwen3-235B-A22B', 'Qwen/Qwen3-235B-A22B', false],
      ],
    );
    assert.equal(
      models[0]?.capabilities.nativeTools,
      false,
      'chat-ui tools are server-side MCP, not client functions',
    );
  });

  test('cookie auth works through the seeded jar; a wrong cookie is needs-login', async () => {
    const byCookie = make({ cookieEnv: 'HF_COOKIE' });
    assert.equal((await byCookie.checkSession(signal())).state, 'ok');
    const events = await collect(
      byCookie.send({ model: 'omni', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    assert.equal(text(events), 'PINEAPPLE');
    await byCookie.close();
    const wrong = make({ cookie: 'expired' });
    assert.equal((await wrong.checkSession(signal())).state, 'needs-login');
    await assert.rejects(wrong.login(signal()), (e: unknown) => e instanceof NeedsLoginError);
    await wrong.close();
  });

  test('a new thread: conversation created with the preprompt, thread event first, reply streamed', async () => {
    const events = await collect(
      site.send(
        { model: 'omni', text: 'Reply with the word PINEAPPLE', systemPrompt: 'Be terse.', attachments: [] },
        signal(),
      ),
    );
    const thread = events[0];
    assert.ok(thread?.type === 'thread');
    assert.equal(fake.conversations.get(thread.threadId)?.preprompt, 'Be terse.');
    assert.equal(text(events), 'PINEAPPLE');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    const turn = fake.turns.at(-1);
    assert.deepEqual(turn?.data, {
      inputs: 'Reply with the word PINEAPPLE',
      id: fake.conversations.get(thread.threadId)?.messages[0]?.id,
      is_retry: false,
      is_continue: false,
    });
  });

  test('continuing a thread hangs the message under the last one', async () => {
    const first = await collect(
      site.send({ model: 'omni', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    const threadId = first[0]?.type === 'thread' ? first[0].threadId : '';
    const tip = fake.conversations.get(threadId)?.messages.at(-1)?.id;
    const second = await collect(
      site.send({ model: 'omni', threadId, text: 'think again', attachments: [] }, signal()),
    );
    assert.deepEqual(second[0], { type: 'thread', threadId });
    assert.equal(fake.turns.at(-1)?.data.id, tip);
    assert.ok(second.some((e) => e.type === 'reasoning'));
  });

  test('files travel as multipart `files` parts named base64;<filename> with base64 content', async () => {
    const attachment = await site.upload(
      { data: new Uint8Array([1, 2, 3, 250]), filename: 'cat.png', mediaType: 'image/png' },
      signal(),
    );
    await collect(site.send({ model: 'omni', text: 'What is this?', attachments: [attachment] }, signal()));
    assert.deepEqual(fake.turns.at(-1)?.files, [
      { filename: 'base64;cat.png', type: 'image/png', content: 'AQID+g==' },
    ]);
    await assert.rejects(
      site.upload({ data: new Uint8Array(1), filename: 'a.pdf', mediaType: 'application/pdf' }, signal()),
      (e: unknown) => e instanceof GatewayError && e.kind === 'invalid_request',
    );
  });

  test('a vanished conversation is ThreadNotFoundError; deleting twice is fine', async () => {
    const events = await collect(
      site.send({ model: 'omni', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    const threadId = events[0]?.type === 'thread' ? events[0].threadId : '';
    await site.deleteThread(threadId, signal());
    assert.equal(fake.conversations.has(threadId), false);
    await site.deleteThread(threadId, signal());
    await assert.rejects(
      collect(site.send({ model: 'omni', threadId, text: 'again', attachments: [] }, signal())),
      (e: unknown) => e instanceof ThreadNotFoundError && e.threadId === threadId,
    );
  });

  test('an unknown model is not_found; a mid-stream error status is a rate limit', async () => {
    await assert.rejects(
      collect(site.send({ model: 'no/such-model', text: 'x', attachments: [] }, signal())),
      (e: unknown) => e instanceof GatewayError && e.kind === 'not_found',
    );
    fake.replyWith({ kind: 'fixture', name: 'reply-error.jsonl' });
    const seen: SiteEvent[] = [];
    await assert.rejects(
      async () => {
        for await (const e of site.send({ model: 'omni', text: 'x', attachments: [] }, signal()))
          seen.push(e);
      },
      (e: unknown) => e instanceof GatewayError && e.kind === 'rate_limit',
    );
    assert.equal(text(seen), 'Par');
  });

  test('aborting stops the generation on the site (stop-generating)', async () => {
    const controller = new AbortController();
    let threadId = '';
    let texts = 0;
    await assert.rejects(async () => {
      for await (const event of site.send(
        { model: 'omni', text: 'tell me a long story', attachments: [] },
        controller.signal,
      )) {
        if (event.type === 'thread') threadId = event.threadId;
        if (event.type === 'text' && ++texts === 2) controller.abort(new Error('client left'));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(fake.stops.includes(threadId));
  });

  test('no credentials at all is a config error', () => {
    assert.throws(() => make({}), /hf_ token|hf-chat/);
  });
});
