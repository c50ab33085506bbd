import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import type { Site, SiteEvent } from '../../site-contract/site.ts';
import { createQwenSite } from './create-qwen-site.ts';
import {
  FAKE_QWEN_EMAIL,
  FAKE_QWEN_PASSWORD,
  type FakeQwenServer,
  startFakeQwenServer,
} from './fake-qwen-server.ts';
import { QwenSiteConfigSchema } from './qwen-config.ts';

async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const text = (events: SiteEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
const signal = () => AbortSignal.timeout(10_000);

describe('Qwen Chat site against a local fake chat.qwen.ai', () => {
  let fake: FakeQwenServer;
  let site: Site;
  const make = (extra: Record<string, unknown> = {}) =>
    createQwenSite(
      QwenSiteConfigSchema.parse({
        id: 'qwen',
        kind: 'qwen',
        baseUrl: fake.url,
        emailEnv: 'QWEN_EMAIL',
        passwordEnv: 'QWEN_PASSWORD',
        ...extra,
      }),
      {
        logger: createLogger('silent'),
        env: { QWEN_EMAIL: FAKE_QWEN_EMAIL, QWEN_PASSWORD: FAKE_QWEN_PASSWORD },
      },
    );

  before(async () => {
    fake = await startFakeQwenServer();
    site = make({ cookies: { ssxmod_itna: 'waf-cookie-value' } });
  });
  after(async () => {
    await site.close();
    await fake.close();
  });
  beforeEach(() => fake.replyWith(undefined));

  test('signs in with the SHA-256 of the password; the session is ok with an expiry', async () => {
    await site.login(signal());
    const state = await site.checkSession(signal());
    assert.equal(state.state, 'ok');
    assert.ok(state.state === 'ok' && state.user === FAKE_QWEN_EMAIL && state.expiresAt instanceof Date);
  });

  test('lists text models with capability metadata; image-only models are left out', async () => {
    const models = await site.listModels(signal());
    assert.deepEqual(
      models.map((m) => [
        m.id,
        m.capabilities.vision,
        m.capabilities.files,
        m.capabilities.reasoning,
        m.capabilities.maxInputChars,
      ]),
      [
        ['qwen3-235b-a22b', true, true, true, 393216],
        ['qwq-32b', false, true, true, 393216],
      ],
    );
    assert.equal(models[0]?.capabilities.systemPrompt, false, 'no system prompt field on the web app');
  });

  test('a new chat streams think and answer phases; the token goes as Bearer and cookie, WAF cookies too', async () => {
    await site.listModels(signal());
    const events = await collect(
      site.send(
        { model: 'qwen3-235b-a22b', text: 'Reply with the word PINEAPPLE', attachments: [] },
        signal(),
      ),
    );
    assert.equal(events[0]?.type, 'thread');
    assert.equal(text(events), 'PINEAPPLE');
    assert.ok(events.some((e) => e.type === 'reasoning'));
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    const body = fake.completions.at(-1) as {
      parent_id: unknown;
      messages: Array<{ feature_config: { thinking_enabled: boolean } }>;
    };
    assert.equal(body.parent_id, null);
    assert.equal(
      body.messages[0]?.feature_config.thinking_enabled,
      true,
      'auto thinking for a thinking model',
    );
    assert.match(fake.cookies.at(-1) ?? '', /token=/);
    assert.match(fake.cookies.at(-1) ?? '', /ssxmod_itna=waf-cookie-value/);
  });

  test('continuing a chat links to the previous reply, also after the adapter forgot it', async () => {
    const first = await collect(
      site.send({ model: 'qwq-32b', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    const threadId = first[0]?.type === 'thread' ? first[0].threadId : '';
    const firstResponse = fake.chats.get(threadId)?.responses[0];
    const second = await collect(
      site.send({ model: 'qwq-32b', threadId, text: 'and again', attachments: [] }, signal()),
    );
    assert.deepEqual(second[0], { type: 'thread', threadId });
    assert.equal((fake.completions.at(-1) as { parent_id: unknown }).parent_id, firstResponse);
    // A fresh adapter (a gateway restart) reads the tip from the chat itself.
    const restarted = make();
    const third = await collect(
      restarted.send({ model: 'qwq-32b', threadId, text: 'once more', attachments: [] }, signal()),
    );
    assert.equal(text(third), 'PINEAPPLE');
    assert.equal(
      (fake.completions.at(-1) as { parent_id: unknown }).parent_id,
      fake.chats.get(threadId)?.responses[1],
    );
    await restarted.close();
  });

  test('thinking off and snapshot mode: the configured switches reach the site and snapshots become deltas', async () => {
    const snapshots = make({ thinking: 'off', incrementalOutput: false });
    const events = await collect(
      snapshots.send(
        { model: 'qwen3-235b-a22b', text: 'Reply with the word PINEAPPLE', attachments: [] },
        signal(),
      ),
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.delta : '')),
      ['PINE', 'APP', 'LE'],
    );
    const body = fake.completions.at(-1) as {
      incremental_output: boolean;
      messages: Array<{ feature_config: { thinking_enabled: boolean } }>;
    };
    assert.equal(body.incremental_output, false);
    assert.equal(body.messages[0]?.feature_config.thinking_enabled, false);
    await snapshots.close();
  });

  test('uploads: STS credentials, a signed PUT to OSS, then the file rides in the message', async () => {
    const attachment = await site.upload(
      { data: new Uint8Array([9, 8, 7]), filename: 'cat.png', mediaType: 'image/png' },
      signal(),
    );
    const stored = [...fake.objects.values()].at(-1);
    assert.deepEqual([...(stored?.bytes ?? [])], [9, 8, 7]);
    assert.equal(stored?.contentType, 'image/png');
    await collect(
      site.send({ model: 'qwen3-235b-a22b', text: 'What is this?', attachments: [attachment] }, signal()),
    );
    const files = (
      fake.completions.at(-1) as { messages: Array<{ files: Array<{ name: string; file_class: string }> }> }
    ).messages[0]?.files;
    assert.deepEqual(
      files?.map((f) => [f.name, f.file_class]),
      [['cat.png', 'vision']],
    );
  });

  test('a document upload waits until the site has parsed it', async () => {
    const attachment = await site.upload(
      { data: new TextEncoder().encode('notes'), filename: 'notes.txt', mediaType: 'text/plain' },
      signal(),
    );
    assert.ok(attachment.fileId.startsWith('qwen-file:'));
    await assert.rejects(
      site.upload(
        { data: new Uint8Array(1), filename: 'x.exe', mediaType: 'application/x-msdownload' },
        signal(),
      ),
      (e: unknown) => e instanceof GatewayError && e.kind === 'invalid_request',
    );
  });

  test('errors: JSON rate limit, the WAF page, a deleted chat, an error inside the stream', async () => {
    fake.replyWith({ kind: 'json', fixture: 'rate-limited.json' });
    await assert.rejects(
      collect(site.send({ model: 'qwq-32b', text: 'x', attachments: [] }, signal())),
      (e: unknown) => e instanceof GatewayError && e.kind === 'rate_limit',
    );
    fake.replyWith({ kind: 'html', fixture: 'waf-block.html' });
    await assert.rejects(
      collect(site.send({ model: 'qwq-32b', text: 'x', attachments: [] }, signal())),
      (e: unknown) => e instanceof NeedsLoginError && /WAF/.test(e.message),
    );
    fake.replyWith({ kind: 'fixture', name: 'reply-stream-error.sse.txt' });
    await assert.rejects(
      collect(site.send({ model: 'qwq-32b', text: 'x', attachments: [] }, signal())),
      (e: unknown) => e instanceof GatewayError && e.kind === 'rate_limit',
    );
    fake.replyWith(undefined);
    const events = await collect(
      site.send({ model: 'qwq-32b', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    const threadId = events[0]?.type === 'thread' ? events[0].threadId : '';
    await site.deleteThread(threadId, signal());
    await site.deleteThread(threadId, signal());
    const fresh = make();
    await assert.rejects(
      collect(fresh.send({ model: 'qwq-32b', threadId, text: 'again', attachments: [] }, signal())),
      (e: unknown) => e instanceof ThreadNotFoundError,
    );
    await fresh.close();
  });

  test('token renewal: a token near expiry is renewed before use; a revoked one after a 401', async () => {
    const before = fake.signins;
    fake.tokenLifetimeSeconds = 60;
    const shortLived = make();
    await shortLived.login(signal());
    fake.tokenLifetimeSeconds = 7 * 24 * 3600;
    await shortLived.listModels(signal());
    assert.equal(fake.signins, before + 2, 'renewed because less than 6 hours were left');
    fake.revokeTokens();
    await shortLived.listModels(signal());
    assert.equal(fake.signins, before + 3, 'signed in again after the 401');
    await shortLived.close();
  });

  test('token-only config: works while valid; wrong credentials are needs-login', async () => {
    const byToken = createQwenSite(
      QwenSiteConfigSchema.parse({
        id: 'q2',
        kind: 'qwen',
        baseUrl: fake.url,
        token: fake.makeToken(86_400),
      }),
      {
        logger: createLogger('silent'),
      },
    );
    assert.equal((await byToken.checkSession(signal())).state, 'ok');
    await byToken.close();
    const wrong = make({ password: 'wrong', passwordEnv: undefined });
    await assert.rejects(wrong.login(signal()), (e: unknown) => e instanceof NeedsLoginError);
    assert.equal((await wrong.checkSession(signal())).state, 'needs-login');
    await wrong.close();
  });
});
