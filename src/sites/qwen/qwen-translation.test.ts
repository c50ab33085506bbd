import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { readServerSentEvents } from '../../transports/http/read-server-sent-events.ts';
import { readFixture } from '../kit/replay-fixture.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { buildCompletionRequest } from './build-completion-request.ts';
import { mapQwenError } from './map-qwen-error.ts';
import { encodeObjectKey, signOssRequest } from './oss-v4-signature.ts';
import { fromQwenAttachment, qwenFileType, toQwenAttachment } from './qwen-file.ts';
import { jwtExpiry, needsRenewal, sha256Hex } from './qwen-token.ts';
import { QwenChunkTranslator } from './translate-qwen-chunk.ts';

const FIXTURES = new URL('./__fixtures__/', import.meta.url);

async function* pieces(text: string, size: number): AsyncIterable<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function translate(
  name: string,
  incremental = true,
  size = 4,
): Promise<{ events: SiteEvent[]; responseId?: string }> {
  const translator = new QwenChunkTranslator({ incremental });
  const events: SiteEvent[] = [];
  let responseId: string | undefined;
  for await (const message of readServerSentEvents(pieces(readFixture(FIXTURES, name), size))) {
    const result = translator.push(JSON.parse(message.data));
    responseId ??= result.responseId;
    events.push(...result.events);
    if (result.done) return { events, responseId };
  }
  return { events: [...events, ...translator.end()], responseId };
}

describe('Qwen stream translation on the fixtures', () => {
  test('think then answer: reasoning deltas, text deltas, one finish, the response id', async () => {
    const { events, responseId } = await translate('reply-think-answer.sse.txt');
    assert.equal(responseId, 'resp-0001');
    assert.deepEqual(events, [
      { type: 'reasoning', delta: 'The user wants' },
      { type: 'reasoning', delta: ' one word.' },
      { type: 'text', delta: 'PINE' },
      { type: 'text', delta: 'APPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('a cumulative thinking summary becomes reasoning deltas (repeats dropped)', async () => {
    const { events } = await translate('reply-summary.sse.txt');
    assert.deepEqual(events, [
      { type: 'reasoning', delta: 'Reading the' },
      { type: 'reasoning', delta: ' request' },
      { type: 'reasoning', delta: '\nAnswering in one word' },
      { type: 'text', delta: 'PINEAPPLE' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('snapshot frames (incremental_output false) are normalised to deltas', async () => {
    for (const size of [1, 7, 500]) {
      const { events } = await translate('reply-cumulative.sse.txt', false, size);
      assert.deepEqual(events, [
        { type: 'text', delta: 'PINE' },
        { type: 'text', delta: 'APP' },
        { type: 'text', delta: 'LE' },
        { type: 'finish', reason: 'stop' },
      ]);
    }
  });

  test('an error in the stream maps by its code', async () => {
    await assert.rejects(
      translate('reply-stream-error.sse.txt'),
      (e: unknown) => e instanceof GatewayError && e.kind === 'rate_limit',
    );
  });

  test('a stream that answered then closed is finished; one that never answered is an error', () => {
    const answered = new QwenChunkTranslator({ incremental: true });
    answered.push({ choices: [{ delta: { content: 'x', phase: 'answer', status: 'typing' } }] });
    assert.deepEqual(answered.end(), [{ type: 'finish', reason: 'stop' }]);
    const silent = new QwenChunkTranslator({ incremental: true });
    silent.push({ 'response.created': { response_id: 'r' } });
    assert.throws(
      () => silent.end(),
      (e: unknown) => e instanceof GatewayError && e.kind === 'upstream',
    );
  });

  test('phases the gateway has no use for are passed over; a missing phase is the answer', () => {
    const t = new QwenChunkTranslator({ incremental: true });
    assert.deepEqual(
      t.push({ choices: [{ delta: { content: 'https://img', phase: 'image_gen', status: 'typing' } }] })
        .events,
      [],
    );
    assert.deepEqual(t.push({ choices: [{ delta: { content: 'hi' } }] }).events, [
      { type: 'text', delta: 'hi' },
    ]);
  });
});

describe('buildCompletionRequest', () => {
  test('the documented body: one user message linked by parent_id, phase output, files described', () => {
    const attachment = toQwenAttachment({
      id: 'f1',
      url: 'https://oss/x.png?sig',
      name: 'x.png',
      size: 3,
      mediaType: 'image/png',
    });
    const body = buildCompletionRequest({
      turn: { model: 'qwen3-235b-a22b', text: 'Hi', attachments: [attachment] },
      chatId: 'chat-1',
      parentId: 'resp-9',
      thinking: true,
      incremental: true,
      messageId: 'msg-1',
      now: new Date('2026-01-02T03:04:05Z'),
    });
    assert.equal(body.chat_id, 'chat-1');
    assert.equal(body.parent_id, 'resp-9');
    assert.equal(body.incremental_output, true);
    assert.equal(body.version, '2.1');
    const [message] = body.messages as Array<Record<string, unknown>>;
    assert.equal(message?.content, 'Hi');
    assert.equal(message?.fid, 'msg-1');
    assert.equal(message?.parentId, 'resp-9');
    assert.deepEqual(message?.feature_config, { thinking_enabled: true, output_schema: 'phase' });
    const [file] = (message?.files ?? []) as Array<Record<string, unknown>>;
    assert.equal(file?.id, 'f1');
    assert.equal(file?.url, 'https://oss/x.png?sig');
    assert.equal(file?.file_class, 'vision');
    assert.equal(file?.showType, 'image');
  });
});

describe('mapQwenError', () => {
  test('JSON codes, statuses and the WAF page', () => {
    const rateLimited = readFixture(FIXTURES, 'rate-limited.json');
    assert.equal(mapQwenError({ status: 200, body: rateLimited, action: 'answer' }).kind, 'rate_limit');
    assert.ok(
      mapQwenError({
        status: 200,
        body: readFixture(FIXTURES, 'waf-block.html'),
        action: 'answer',
      }) instanceof NeedsLoginError,
    );
    assert.ok(
      mapQwenError({ status: 401, body: '{"detail":"Not authenticated"}', action: 'answer' }) instanceof
        NeedsLoginError,
    );
    const notFound = JSON.stringify({
      success: false,
      data: { code: 'Not_Found', details: 'Chat not found' },
    });
    assert.ok(
      mapQwenError({ status: 200, body: notFound, action: 'answer', chatId: 'c' }) instanceof
        ThreadNotFoundError,
    );
    assert.equal(mapQwenError({ status: 200, body: notFound, action: 'answer' }).kind, 'not_found');
    const badRequest = JSON.stringify({ success: false, data: { code: 'Bad_Request', details: 'bad' } });
    assert.equal(mapQwenError({ status: 200, body: badRequest, action: 'answer' }).kind, 'invalid_request');
    assert.equal(mapQwenError({ status: 500, body: 'oops', action: 'answer' }).kind, 'upstream');
  });
});

describe('tokens and files', () => {
  test('sha256 password, JWT expiry and the 6-hour renewal margin', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const jwt = (exp: number) => `x.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.y`;
    const now = new Date('2026-01-01T00:00:00Z');
    const seconds = now.getTime() / 1000;
    assert.deepEqual(jwtExpiry(jwt(seconds + 60)), new Date(now.getTime() + 60_000));
    assert.equal(needsRenewal(jwt(seconds + 3600), now), true);
    assert.equal(needsRenewal(jwt(seconds + 7 * 86400), now), false);
    assert.equal(needsRenewal('not-a-jwt', now), false, 'an unreadable token is trusted until refused');
    assert.equal(needsRenewal(undefined, now), true);
  });

  test('attachment ids round-trip; foreign ids are refused', () => {
    const file = { id: 'f', url: 'u', name: 'n.pdf', size: 1, mediaType: 'application/pdf' };
    assert.deepEqual(fromQwenAttachment(toQwenAttachment(file)), file);
    assert.throws(() => fromQwenAttachment({ fileId: 'data:x', mediaType: 'image/png' }), GatewayError);
    assert.equal(qwenFileType('image/png'), 'image');
    assert.equal(qwenFileType('application/pdf'), 'file');
  });
});

describe('signOssRequest', () => {
  test('matches an independent computation of the documented V4 algorithm', () => {
    const headers = signOssRequest({
      method: 'PUT',
      bucket: 'qwen-webui-prod',
      objectKey: 'user-1/a b(1).png',
      region: 'oss-ap-southeast-1',
      accessKeyId: 'STS.fixtureAccessKeyId',
      accessKeySecret: 'fixtureAccessKeySecret',
      securityToken: 'CAIS.fixture-security-token',
      contentType: 'image/png',
      now: new Date('2026-01-02T03:04:05.678Z'),
    });
    assert.equal(headers['x-oss-date'], '20260102T030405Z');
    assert.equal(headers['x-oss-content-sha256'], 'UNSIGNED-PAYLOAD');
    // Expected value computed separately (Python hashlib/hmac) from the algorithm in Alibaba's doc.
    assert.equal(
      headers.authorization,
      'OSS4-HMAC-SHA256 Credential=STS.fixtureAccessKeyId/20260102/ap-southeast-1/oss/aliyun_v4_request,Signature=278b2f1f7027b9de370169b3d2302efe73ccbd773d5d998dd89bc6593b9bf310',
    );
    assert.equal(encodeObjectKey('user-1/a b(1).png'), 'user-1/a%20b%281%29.png');
  });
});
