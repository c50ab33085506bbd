import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { readFixture } from '../kit/replay-fixture.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { mapPoeSendStatus, secondsUntilReset } from './map-poe-status.ts';
import { loadOperationHashes } from './operation-hashes.ts';
import { buildGqlRequest, poeNonce, poeTagId } from './poe-gql-request.ts';
import { channelUrl, extractBuildId, extractTchannelData, isChallengePage } from './poe-page-secrets.ts';
import { extractJwt } from './poe-web-site.ts';
import { type ChannelEvent, PoeReplyTranslator, parseChannelFrame } from './translate-poe-frame.ts';

const FIXTURES = new URL('./__fixtures__/', import.meta.url);

/** Runs a frames fixture (as the server sends it, chat 7) through the frame parser and the translator. */
function replay(name: string): { events: SiteEvent[]; controls: ChannelEvent[] } {
  const translator = new PoeReplyTranslator();
  const events: SiteEvent[] = [];
  const controls: ChannelEvent[] = [];
  for (const line of readFixture(FIXTURES, name).split('\n')) {
    if (line === '' || line.startsWith('#') || line === 'PAUSE') continue;
    for (const event of parseChannelFrame(line.replaceAll('__CHAT_ID__', '7'))) {
      if (event.kind !== 'update') {
        controls.push(event);
        continue;
      }
      assert.equal(event.chatId, '7');
      const step = translator.push(event);
      events.push(...step.events);
      if (step.done) return { events, controls };
    }
  }
  return { events, controls };
}

describe('Poe update frames', () => {
  test('reply-frames: human skipped, repeats and late frames dropped, ping seen, one finish', () => {
    const { events, controls } = replay('reply-frames.jsonl');
    assert.deepEqual(events, [
      { type: 'text', delta: 'PINE' },
      { type: 'text', delta: 'APP' },
      { type: 'text', delta: 'LE' },
      { type: 'finish', reason: 'stop' },
    ]);
    assert.deepEqual(controls, [{ kind: 'ping' }]);
  });

  test('reply-rewrite-frames: a re-rendered snapshot never duplicates text', () => {
    const { events } = replay('reply-rewrite-frames.jsonl');
    const text = events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
    assert.equal(text, '1. apple\n2. pear\n3. plum');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
  });

  test('reply-too-long-frames: the error state fails the reply as context_length_exceeded', () => {
    assert.throws(
      () => replay('reply-too-long-frames.jsonl'),
      (e: unknown) => e instanceof GatewayError && e.kind === 'context_length_exceeded',
    );
  });

  test('reply-refetch-frames: refetchChannel is a reconnect request', () => {
    const { controls, events } = replay('reply-refetch-frames.jsonl');
    assert.deepEqual(controls, [{ kind: 'reconnect', reason: 'refetchChannel' }]);
    assert.equal(events.map((e) => (e.type === 'text' ? e.delta : '')).join(''), 'PINEAPPLE');
  });

  test('control frames and junk', () => {
    assert.deepEqual(parseChannelFrame('{"error":"missed_messages"}'), [
      { kind: 'reconnect', reason: 'missed_messages' },
    ]);
    assert.deepEqual(parseChannelFrame('{"type":"ping"}'), [{ kind: 'ping' }]);
    assert.deepEqual(parseChannelFrame('not json'), []);
    assert.deepEqual(parseChannelFrame('{"messages":["not json", "{}"]}'), []);
  });

  test('a cancelled message fails the reply; another bot message in the chat is ignored', () => {
    const translator = new PoeReplyTranslator();
    const update = (data: Record<string, unknown>, subscription = 'messageAdded') =>
      ({ kind: 'update', subscription, chatId: '1', data }) as const;
    translator.push(
      update({ messageAdded: { messageId: 5, text: 'a', state: 'incomplete', author: 'bot' } }),
    );
    assert.deepEqual(
      translator.push(
        update({ messageAdded: { messageId: 6, text: 'other', state: 'complete', author: 'bot' } }),
      ),
      {
        events: [],
        done: false,
      },
    );
    assert.equal(translator.messageId, '5');
    assert.throws(() => translator.push(update({ messageCancelled: {} }, 'messageCancelled')), GatewayError);
  });
});

describe('mapPoeSendStatus', () => {
  const refusals = JSON.parse(readFixture(FIXTURES, 'send-message-refusals.json')) as Record<
    string,
    { data: { messageEdgeCreate: { status: string; statusMessage: string } } }
  >;
  const cases = [
    ['reached_limit', 'rate_limit', 5 * 3600],
    ['rate_limit_exceeded', 'rate_limit', 5],
    ['concurrent_messages', 'rate_limit', 5],
    ['no_access', 'permission', undefined],
    ['too_many_tokens', 'context_length_exceeded', undefined],
  ] as const;
  for (const [status, kind, seconds] of cases) {
    test(`${status} → ${kind}`, () => {
      const edge = refusals[status]?.data.messageEdgeCreate;
      const error = mapPoeSendStatus(status, edge?.statusMessage, 'GPT-4o');
      assert.equal(error?.kind, kind);
      assert.equal(error?.retryAfterSeconds, seconds);
      assert.ok(error?.message.includes(edge?.statusMessage ?? '∅'), 'Poe’s own words are kept');
    });
  }

  test('success is no error; unknown statuses are upstream errors', () => {
    assert.equal(mapPoeSendStatus('success', null, 'x'), undefined);
    assert.equal(mapPoeSendStatus('something_new', null, 'x')?.kind, 'upstream');
    assert.equal(mapPoeSendStatus('unsupported_file_type', null, 'x')?.kind, 'invalid_request');
  });

  test('reset times: relative, ISO, or unknown', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(secondsUntilReset('resets in 45 minutes', now), 2700);
    assert.equal(secondsUntilReset('resets at 2026-01-01T02:00:00Z', now), 7200);
    assert.equal(secondsUntilReset('try tomorrow', now), undefined);
  });
});

describe('page secrets', () => {
  const html = readFixture(FIXTURES, 'homepage.html');

  test('tchannelData and build id come out of the homepage', () => {
    assert.deepEqual(extractTchannelData(html), {
      minSeq: '1000',
      channel: 'poe-chan-fixture',
      channelHash: 'fixture-channel-hash',
      boxName: 'box_fixture',
      baseHost: 'poe.com',
    });
    assert.equal(extractBuildId(html), 'fixtureBuild-2026');
  });

  test('tchannelData outside __NEXT_DATA__ is found by balanced braces', () => {
    const inline =
      '<script>self.__x = {"a":1,"tchannelData":{"minSeq":5,"channel":"c","channelHash":"h","boxName":"b","baseHost":"poe.com","note":"}"}}</script>';
    assert.equal(extractTchannelData(inline)?.channel, 'c');
    assert.equal(extractTchannelData('<html></html>'), undefined);
  });

  test('channel URL and challenge detection', () => {
    const url = channelUrl(
      { minSeq: 1, channel: 'c', channelHash: 'h', boxName: 'b', baseHost: 'poe.com' },
      true,
      123456,
    );
    assert.equal(url, 'wss://tch123456.tch.poe.com/up/b/updates?min_seq=1&channel=c&hash=h');
    assert.ok(isChallengePage(403, '<title>Just a moment...</title>'));
    assert.ok(!isChallengePage(200, '<title>Just a moment...</title>'));
  });
});

describe('GraphQL signing', () => {
  test('poe-tag-id is the MD5 of body + formkey + salt, over the exact body sent', () => {
    const request = buildGqlRequest(
      { queryName: 'q', hash: 'h'.repeat(64) },
      { a: 1 },
      { formkey: 'fk', salt: 'salt', channel: 'c' },
    );
    assert.equal(
      request.body,
      `{"queryName":"q","variables":{"a":1},"extensions":{"hash":"${'h'.repeat(64)}"}}`,
    );
    assert.equal(request.headers['poe-tag-id'], poeTagId(request.body, 'fk', 'salt'));
    assert.equal(poeTagId('abc', '', ''), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(request.headers['poe-queryname'], 'q');
    assert.equal(request.headers['poe-tchannel'], 'c');
    assert.match(poeNonce(), /^[A-Za-z0-9]{16}$/);
  });

  test('operation hashes: the bundled table loads; a user file overrides entries; a broken one is named', async () => {
    const bundled = await loadOperationHashes();
    assert.equal(bundled.operation('SendMessageMutation').queryName, 'sendMessageMutation');
    assert.ok(bundled.subscriptions.some((s) => s.subscriptionName === 'messageAdded'));
    const dir = await mkdtemp(join(tmpdir(), 'poe-hashes-'));
    try {
      const path = join(dir, 'hashes.json');
      await writeFile(
        path,
        JSON.stringify({
          version: 'user-1',
          operations: { DeleteChat: { queryName: 'deleteChat', hash: 'a'.repeat(64) } },
        }),
      );
      const merged = await loadOperationHashes(path);
      assert.equal(merged.version, 'user-1');
      assert.deepEqual(merged.operation('DeleteChat'), { queryName: 'deleteChat', hash: 'a'.repeat(64) });
      assert.equal(
        merged.operation('SendMessageMutation').hash,
        bundled.operation('SendMessageMutation').hash,
      );
      await writeFile(
        path,
        JSON.stringify({ operations: { DeleteChat: { queryName: 'x', hash: 'short' } } }),
      );
      await assert.rejects(
        loadOperationHashes(path),
        new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('file tokens are read bare, quoted or from JSON', () => {
    const jwt = 'eyJh.eyJm.c2ln';
    assert.equal(extractJwt(jwt), jwt);
    assert.equal(extractJwt(`"${jwt}"`), jwt);
    assert.equal(extractJwt(JSON.stringify({ data: { fileHashJwt: jwt } })), jwt);
    assert.equal(extractJwt('{"ok":true}'), undefined);
  });
});
