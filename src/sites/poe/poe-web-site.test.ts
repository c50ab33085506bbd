import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import type { Site, SiteEvent } from '../../site-contract/site.ts';
import { createPoeWebSite } from './create-poe-web-site.ts';
import { FAKE_POE_FORMKEY, FAKE_POE_PB, type FakePoeServer, startFakePoeServer } from './fake-poe-server.ts';
import { PoeWebSiteConfigSchema } from './poe-web-config.ts';

async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const text = (events: SiteEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
const signal = () => AbortSignal.timeout(10_000);

describe('Poe web site against a local fake poe.com (HTTP + update WebSocket)', () => {
  let fake: FakePoeServer;
  let site: Site;
  const make = (extra: Record<string, unknown> = {}) =>
    createPoeWebSite(
      PoeWebSiteConfigSchema.parse({
        id: 'poe',
        kind: 'poe-web',
        baseUrl: fake.url,
        pBEnv: 'POE_PB',
        formkeyEnv: 'POE_FORMKEY',
        pLat: 'fake-p-lat',
        replyIdleMs: 3_000,
        ...extra,
      }),
      {
        logger: createLogger('silent'),
        env: { POE_PB: FAKE_POE_PB, POE_FORMKEY: FAKE_POE_FORMKEY },
        channelUrl: (t) => fake.channelUrl(t),
      },
    );

  before(async () => {
    fake = await startFakePoeServer();
    site = await make();
  });
  after(async () => {
    await site.close();
    await fake.close();
  });

  test('login scrapes the page (despite Cloudflare setting __cf_bm) and the session is the viewer', async () => {
    await site.login(signal());
    assert.deepEqual(await site.checkSession(signal()), { state: 'ok', user: 'tester' });
  });

  test('the bot list is paged to the end; deleted bots dropped; capabilities from the bot fields', async () => {
    const models = await site.listModels(signal());
    assert.deepEqual(
      models.map((m) => [m.id, m.capabilities.vision, m.capabilities.files]),
      [
        ['Assistant', true, true],
        ['GPT-4o', true, true],
        ['Claude-Sonnet-4.6', true, true],
        ['My-Private-Bot', false, false],
      ],
    );
  });

  test('a new chat: subscribed channel, codename as bot, frames pushed before the answer are not lost', async () => {
    const events = await collect(
      site.send({ model: 'GPT-4o', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    assert.deepEqual(events[0], { type: 'thread', threadId: '1001' });
    assert.equal(text(events), 'PINEAPPLE');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    const sent = fake.sends.at(-1);
    assert.equal(sent?.bot, 'gpt4_o');
    assert.equal(sent?.chatId, null);
    assert.equal(sent?.shouldFetchChat, true);
    assert.ok(
      (fake.subscriptions[0] as Array<{ subscriptionName: string }>).some(
        (s) => s.subscriptionName === 'messageAdded',
      ),
    );
    assert.ok(fake.pongs >= 1, 'the server ping was answered');
  });

  test('continuing a chat sends its id; a bot without codename goes by its lowercased handle', async () => {
    const first = await collect(
      site.send(
        { model: 'Claude-Sonnet-4.6', text: 'Reply with the word PINEAPPLE', attachments: [] },
        signal(),
      ),
    );
    const threadId = first[0]?.type === 'thread' ? first[0].threadId : '';
    assert.equal(fake.sends.at(-1)?.bot, 'claude-sonnet-4.6');
    const second = await collect(
      site.send(
        { model: 'Claude-Sonnet-4.6', threadId, text: 'Reply with the word PINEAPPLE', attachments: [] },
        signal(),
      ),
    );
    assert.deepEqual(second[0], { type: 'thread', threadId });
    assert.equal(fake.sends.at(-1)?.chatId, Number(threadId));
    assert.equal(text(second), 'PINEAPPLE');
  });

  test('the documented refusals become clear gateway errors', async () => {
    for (const [status, kind] of [
      ['reached_limit', 'rate_limit'],
      ['concurrent_messages', 'rate_limit'],
      ['no_access', 'permission'],
      ['too_many_tokens', 'context_length_exceeded'],
    ] as const) {
      fake.refuseNextWith(status);
      await assert.rejects(
        collect(site.send({ model: 'GPT-4o', text: 'hello', attachments: [] }, signal())),
        (e: unknown) => e instanceof GatewayError && e.kind === kind,
        status,
      );
    }
  });

  test('a bot error state mid-reply fails the turn', async () => {
    await assert.rejects(
      collect(site.send({ model: 'GPT-4o', text: 'this is too long', attachments: [] }, signal())),
      (e: unknown) => e instanceof GatewayError && e.kind === 'context_length_exceeded',
    );
  });

  test('refetchChannel mid-reply: the socket is reopened, re-subscribed, and the reply completes', async () => {
    const connections = fake.connections;
    const events = await collect(
      site.send({ model: 'GPT-4o', text: 'please refetch', attachments: [] }, signal()),
    );
    assert.equal(text(events), 'PINEAPPLE');
    assert.equal(fake.connections, connections + 1);
  });

  test('uploads go to finish_upload_POST and ride as fileHashJwts', async () => {
    const attachment = await site.upload(
      { data: new Uint8Array([1, 2, 3]), filename: 'cat.png', mediaType: 'image/png' },
      signal(),
    );
    assert.deepEqual(fake.uploads.at(-1), { filename: 'cat.png', type: 'image/png', size: 3 });
    await collect(
      site.send(
        { model: 'GPT-4o', text: 'Reply with the word PINEAPPLE', attachments: [attachment] },
        signal(),
      ),
    );
    assert.deepEqual(fake.sends.at(-1)?.fileHashJwts, [
      'eyJhbGciOiJIUzI1NiJ9.eyJmaWxlIjoiZml4dHVyZSJ9.c2lnbmF0dXJl',
    ]);
    assert.deepEqual(fake.sends.at(-1)?.attachments, ['file0']);
  });

  test('deleting a chat; continuing a deleted chat is ThreadNotFoundError', async () => {
    const events = await collect(
      site.send({ model: 'GPT-4o', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
    );
    const threadId = events[0]?.type === 'thread' ? events[0].threadId : '';
    await site.deleteThread(threadId, signal());
    await site.deleteThread(threadId, signal());
    await assert.rejects(
      collect(site.send({ model: 'GPT-4o', threadId, text: 'again', attachments: [] }, signal())),
      (e: unknown) => e instanceof ThreadNotFoundError,
    );
  });

  test('aborting stops the bot with the cancel mutation', async () => {
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
    const stop = fake.stops.at(-1);
    assert.ok(stop && typeof stop.messageId === 'number' && typeof stop.textLength === 'number');
  });

  test('rotated operation hashes are reported as such, naming the file to update', async () => {
    const fresh = await make();
    fake.rotateHashes(true);
    try {
      await assert.rejects(
        fresh.listModels(signal()),
        (e: unknown) => e instanceof GatewayError && /operation-hashes\.json/.test(e.message),
      );
    } finally {
      fake.rotateHashes(false);
      await fresh.close();
    }
  });

  test('without a formkey or a logged-in cookie the session needs a login', async () => {
    const noFormkey = await make({ formkeyEnv: undefined });
    assert.equal((await noFormkey.checkSession(signal())).state, 'needs-login');
    await noFormkey.close();
    const loggedOut = await make({ pBEnv: undefined, pB: 'expired-cookie' });
    assert.equal((await loggedOut.checkSession(signal())).state, 'needs-login');
    await assert.rejects(loggedOut.login(signal()), (e: unknown) => e instanceof NeedsLoginError);
    await loggedOut.close();
    await assert.rejects(make({ pBEnv: undefined }), /p-b/);
  });
});
