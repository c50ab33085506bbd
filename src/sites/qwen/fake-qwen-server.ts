import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFixture, words, writeInPieces } from '../kit/replay-fixture.ts';
import { signOssRequest } from './oss-v4-signature.ts';
import { sha256Hex } from './qwen-token.ts';

/**
 * Test support: a local stand-in for chat.qwen.ai (sign-in, models, chats, SSE completions, STS
 * uploads) and for the Aliyun OSS bucket the uploads go to, which checks the V4 signature. Replies
 * replay `__fixtures__/*.sse.txt` in small pieces, each with a fresh `response_id`.
 */
export const FAKE_QWEN_EMAIL = 'user@example.com';
export const FAKE_QWEN_PASSWORD = 'correct horse battery staple';
const FIXTURES = new URL('./__fixtures__/', import.meta.url);

export type FakeQwenReply =
  | { kind: 'fixture'; name: string }
  | { kind: 'words'; count: number; delayMs: number }
  | { kind: 'json'; fixture: string }
  | { kind: 'html'; fixture: string };

interface Chat {
  model: string;
  responses: string[];
}

export interface FakeQwenServer {
  url: string;
  chats: Map<string, Chat>;
  /** Bodies of completion requests, in order. */
  completions: Array<Record<string, unknown>>;
  signins: number;
  /** Objects stored in the fake OSS bucket, by object key. */
  objects: Map<string, { contentType: string; bytes: Buffer }>;
  /** Cookies seen on completion requests. */
  cookies: string[];
  /** Lifetime of tokens issued from now on (seconds). */
  tokenLifetimeSeconds: number;
  replyWith(reply: FakeQwenReply | undefined): void;
  /** Makes the next authenticated call answer 401 (a revoked session). */
  revokeTokens(): void;
  makeToken(lifetimeSeconds: number): string;
  close(): Promise<void>;
}

export async function startFakeQwenServer(): Promise<FakeQwenServer> {
  const chats = new Map<string, Chat>();
  const completions: Array<Record<string, unknown>> = [];
  const objects = new Map<string, { contentType: string; bytes: Buffer }>();
  const cookies: string[] = [];
  const valid = new Set<string>();
  let override: FakeQwenReply | undefined;
  let parsePolls = 0;
  const state = { signins: 0, tokenLifetimeSeconds: 7 * 24 * 3600 };
  let base = '';

  const makeToken = (lifetimeSeconds: number) => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ id: randomUUID(), exp: Math.floor(Date.now() / 1000) + lifetimeSeconds })}.sig`;
    valid.add(token);
    return token;
  };

  const server = createServer(async (request, response) => {
    const raw = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake');
    const path = url.pathname;
    const json = () => JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;

    if (request.method === 'PUT' && path.startsWith('/oss/'))
      return putObject(request, response, path.slice(5), raw);
    if (request.method === 'POST' && path === '/api/v1/auths/signin') {
      const body = json();
      if (body.email !== FAKE_QWEN_EMAIL || body.password !== sha256Hex(FAKE_QWEN_PASSWORD)) {
        return sendJson(response, 400, { detail: 'The email or password provided is incorrect.' });
      }
      state.signins++;
      return sendJson(response, 200, {
        id: 'u1',
        email: FAKE_QWEN_EMAIL,
        name: 'Tester',
        token: makeToken(state.tokenLifetimeSeconds),
        token_type: 'Bearer',
      });
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !valid.has(token)) return sendJson(response, 401, { detail: 'Not authenticated' });

    if (request.method === 'GET' && path === '/api/v1/auths/') {
      return sendJson(response, 200, { id: 'u1', email: FAKE_QWEN_EMAIL, name: 'Tester', role: 'user' });
    }
    if (request.method === 'GET' && path === '/api/models') {
      const listing = JSON.parse(readFixture(FIXTURES, 'models.json')) as Record<string, unknown>;
      delete listing._fixture;
      return sendJson(response, 200, listing);
    }
    if (request.method === 'POST' && path === '/api/v2/chats/new') {
      const body = json();
      const id = randomUUID();
      chats.set(id, { model: String((body.models as string[] | undefined)?.[0] ?? ''), responses: [] });
      return sendJson(response, 200, { success: true, request_id: randomUUID(), data: { id } });
    }
    const chatPath = /^\/api\/v2\/chats\/([0-9a-f-]+)$/.exec(path);
    if (chatPath?.[1]) {
      const chat = chats.get(chatPath[1]);
      if (!chat)
        return sendJson(response, 404, {
          success: false,
          data: { code: 'Not_Found', details: 'Chat not found' },
        });
      if (request.method === 'DELETE') {
        chats.delete(chatPath[1]);
        return sendJson(response, 200, { success: true, data: { status: true } });
      }
      return sendJson(response, 200, {
        success: true,
        data: {
          id: chatPath[1],
          chat: { history: { currentId: chat.responses.at(-1) ?? null, messages: {} } },
        },
      });
    }
    if (request.method === 'POST' && path === '/api/v2/chat/completions') {
      cookies.push(request.headers.cookie ?? '');
      const body = json();
      completions.push(body);
      const chat = chats.get(url.searchParams.get('chat_id') ?? '');
      if (!chat)
        return sendJson(response, 200, {
          success: false,
          data: { code: 'Not_Found', details: 'Chat not found' },
        });
      if ((body.parent_id ?? null) !== (chat.responses.at(-1) ?? null)) {
        return sendJson(response, 200, {
          success: false,
          data: { code: 'Bad_Request', details: 'parent_id mismatch' },
        });
      }
      const message = (
        body.messages as Array<{ content: string; feature_config?: { thinking_enabled?: boolean } }>
      )[0];
      const reply =
        override ??
        replyFor(
          message?.content ?? '',
          message?.feature_config?.thinking_enabled === true,
          body.incremental_output !== false,
        );
      if (reply.kind === 'json') {
        const error = JSON.parse(readFixture(FIXTURES, reply.fixture)) as Record<string, unknown>;
        delete error._fixture;
        return sendJson(response, 200, error);
      }
      if (reply.kind === 'html') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(readFixture(FIXTURES, reply.fixture));
        return;
      }
      const responseId = randomUUID();
      chat.responses.push(responseId);
      response.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8' });
      let gone = false;
      response.on('close', () => {
        gone = !response.writableEnded;
      });
      if (reply.kind === 'fixture') {
        const wire = readFixture(FIXTURES, reply.name).replaceAll('resp-0001', responseId);
        await writeInPieces(response, wire, { chunkBytes: 9, stopped: () => gone });
      } else {
        response.write(`data: ${JSON.stringify({ 'response.created': { response_id: responseId } })}\n\n`);
        for (const word of words(reply.count)) {
          if (gone) return;
          response.write(
            `data: ${JSON.stringify({ choices: [{ delta: { content: word, phase: 'answer', status: 'typing' } }] })}\n\n`,
          );
          await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        }
        response.write(
          `data: ${JSON.stringify({ choices: [{ delta: { content: '', phase: 'answer', status: 'finished' } }] })}\n\n`,
        );
      }
      if (!gone) response.end();
      return;
    }
    if (request.method === 'POST' && path === '/api/v2/files/getstsToken') {
      const body = json();
      const sts = JSON.parse(readFixture(FIXTURES, 'sts-token.json')) as { data: Record<string, string> };
      const fileId = randomUUID();
      const key = `user-1/${fileId}_${String(body.filename)}`;
      return sendJson(response, 200, {
        success: true,
        data: {
          ...sts.data,
          file_id: fileId,
          file_path: key,
          file_url: `${base}/oss/${key}?Expires=1767229200&Signature=for-get-only`,
        },
      });
    }
    if (request.method === 'POST' && path === '/api/v2/files/parse')
      return sendJson(response, 200, { success: true, data: {} });
    if (request.method === 'POST' && path === '/api/v2/files/parse/status') {
      const body = json();
      const id = (body.file_id_list as string[] | undefined)?.[0];
      parsePolls++;
      return sendJson(response, 200, {
        success: true,
        data: [{ file_id: id, status: parsePolls % 2 === 0 ? 'success' : 'parsing' }],
      });
    }
    sendJson(response, 404, { detail: `No route ${path}` });
  });

  /** The bucket: only a request signed with the STS secret from the fixture is stored. */
  function putObject(request: IncomingMessage, response: ServerResponse, key: string, bytes: Buffer): void {
    const sts = (JSON.parse(readFixture(FIXTURES, 'sts-token.json')) as { data: Record<string, string> })
      .data;
    const date = String(request.headers['x-oss-date'] ?? '');
    const now = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    const expected = now
      ? signOssRequest({
          method: 'PUT',
          bucket: sts.bucketname ?? '',
          objectKey: decodeURIComponent(key),
          region: sts.region ?? '',
          accessKeyId: sts.access_key_id ?? '',
          accessKeySecret: sts.access_key_secret ?? '',
          securityToken: sts.security_token ?? '',
          contentType: String(request.headers['content-type'] ?? ''),
          now: new Date(`${now[1]}-${now[2]}-${now[3]}T${now[4]}:${now[5]}:${now[6]}Z`),
        }).authorization
      : undefined;
    if (
      !expected ||
      request.headers.authorization !== expected ||
      request.headers['x-oss-security-token'] !== sts.security_token
    ) {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code></Error>');
      return;
    }
    objects.set(decodeURIComponent(key), { contentType: String(request.headers['content-type']), bytes });
    response.writeHead(200, { etag: '"fixture"' }).end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    chats,
    completions,
    objects,
    cookies,
    get signins() {
      return state.signins;
    },
    get tokenLifetimeSeconds() {
      return state.tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(value: number) {
      state.tokenLifetimeSeconds = value;
    },
    replyWith(reply) {
      override = reply;
    },
    revokeTokens() {
      valid.clear();
    },
    makeToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function replyFor(text: string, thinking: boolean, incremental: boolean): FakeQwenReply {
  if (/long story/i.test(text)) return { kind: 'words', count: 40, delayMs: 25 };
  if (/summary/i.test(text)) return { kind: 'fixture', name: 'reply-summary.sse.txt' };
  if (!incremental) return { kind: 'fixture', name: 'reply-cumulative.sse.txt' };
  return { kind: 'fixture', name: thinking ? 'reply-think-answer.sse.txt' : 'reply-answer.sse.txt' };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
