import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFixture, words, writeInPieces } from '../kit/replay-fixture.ts';

/**
 * Test support: a local OpenAI-compatible server on loopback. It checks the key, records every
 * request it receives (so tests can assert what reached the upstream) and answers chat requests by
 * replaying the fixtures in `__fixtures__/`, split into small pieces.
 */
export const FAKE_OPENAI_KEY = 'sk-test-fake-upstream-key';
const FIXTURES = new URL('./__fixtures__/', import.meta.url);

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type FakeReply =
  | { kind: 'fixture'; name: string }
  | { kind: 'words'; count: number; delayMs: number }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'json'; body: unknown };

export interface FakeOpenAIServer {
  url: string;
  requests: RecordedRequest[];
  /** Overrides the reply for the next chat requests (cleared by `reset`). */
  replyWith(reply: FakeReply): void;
  /** Chat streams that ended because the client disconnected. */
  readonly abortedStreams: number;
  reset(): void;
  close(): Promise<void>;
}

/** The default script: the last user text picks the fixture, like a model asked for one word. */
function defaultReply(body: Record<string, unknown>): FakeReply {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const text =
    typeof user?.content === 'string'
      ? user.content
      : Array.isArray(user?.content)
        ? (user.content as Array<{ text?: string }>).map((p) => p.text ?? '').join(' ')
        : '';
  if (messages.some((m) => m.role === 'tool')) return { kind: 'fixture', name: 'text-reply.chunks.txt' };
  if (Array.isArray(body.tools) && body.tools.length > 0)
    return { kind: 'fixture', name: 'tool-calls.chunks.txt' };
  if (/long story/i.test(text)) return { kind: 'words', count: 40, delayMs: 25 };
  if (/think/i.test(text)) return { kind: 'fixture', name: 'reasoning-reply.chunks.txt' };
  return { kind: 'fixture', name: 'text-reply.chunks.txt' };
}

export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  let override: FakeReply | undefined;
  let abortedStreams = 0;

  const server = createServer(async (request, response) => {
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });
    if (request.headers.authorization !== `Bearer ${FAKE_OPENAI_KEY}`) {
      return sendJson(response, 401, {
        error: {
          message: 'Invalid API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    if (request.method === 'GET' && path === '/v1/models') {
      const listing = JSON.parse(readFixture(FIXTURES, 'models.json')) as Record<string, unknown>;
      delete listing._fixture;
      return sendJson(response, 200, listing);
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      const reply = override ?? defaultReply((body ?? {}) as Record<string, unknown>);
      if (reply.kind === 'error') return sendJson(response, reply.status, reply.body, reply.headers);
      if (reply.kind === 'json') return sendJson(response, 200, reply.body);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let gone = false;
      response.on('close', () => {
        if (!response.writableEnded) {
          gone = true;
          abortedStreams++;
        }
      });
      if (reply.kind === 'fixture') {
        await writeInPieces(response, readFixture(FIXTURES, reply.name), {
          chunkBytes: 7,
          stopped: () => gone,
        });
      } else {
        for (const word of words(reply.count)) {
          if (gone) return;
          const chunk = { choices: [{ index: 0, delta: { content: word }, finish_reason: null }] };
          response.write(`data: ${JSON.stringify(chunk)}\n\n`);
          await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        }
        response.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
        );
        response.write('data: [DONE]\n\n');
      }
      if (!gone) response.end();
      return;
    }
    sendJson(response, 404, { error: { message: `No route ${path}`, type: 'invalid_request_error' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    replyWith(reply) {
      override = reply;
    },
    get abortedStreams() {
      return abortedStreams;
    },
    reset() {
      override = undefined;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
