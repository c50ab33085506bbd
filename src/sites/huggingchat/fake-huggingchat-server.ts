import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFixture, words, writeInPieces } from '../kit/replay-fixture.ts';

/**
 * Test support: a local stand-in for HuggingChat's web API (the chat-ui routes the adapter uses),
 * holding conversations in memory and answering turns by replaying the JSON-lines fixtures in
 * `__fixtures__/` in small pieces. Accepts either the Bearer token or the `hf-chat` cookie below.
 */
export const FAKE_HF_TOKEN = 'hf_test_fake_token_0123456789';
export const FAKE_HF_COOKIE = 'fake-hf-chat-session-cookie';
const FIXTURES = new URL('./__fixtures__/', import.meta.url);

export interface RecordedTurn {
  conversationId: string;
  data: { inputs?: string; id?: string; is_retry?: boolean; is_continue?: boolean };
  files: Array<{ filename: string; type: string; content: string }>;
}

export type FakeHuggingChatReply =
  | { kind: 'fixture'; name: string }
  | { kind: 'words'; count: number; delayMs: number };

interface Conversation {
  model: string;
  preprompt?: string;
  messages: Array<{ id: string; from: string; content: string }>;
}

export interface FakeHuggingChatServer {
  /** Base of the chat app, like `https://huggingface.co/chat`. */
  url: string;
  conversations: Map<string, Conversation>;
  turns: RecordedTurn[];
  stops: string[];
  replyWith(reply: FakeHuggingChatReply | undefined): void;
  close(): Promise<void>;
}

function fixtureFor(text: string): FakeHuggingChatReply {
  if (/long story/i.test(text)) return { kind: 'words', count: 40, delayMs: 25 };
  if (/think/i.test(text)) return { kind: 'fixture', name: 'reply-reasoning.jsonl' };
  if (/final only/i.test(text)) return { kind: 'fixture', name: 'reply-final-only.jsonl' };
  return { kind: 'fixture', name: 'reply-text.jsonl' };
}

/** Fixture files start with `#` comment lines naming their source; those never go on the wire. */
function wireOf(fixture: string): string {
  return fixture
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

export async function startFakeHuggingChatServer(): Promise<FakeHuggingChatServer> {
  const conversations = new Map<string, Conversation>();
  const turns: RecordedTurn[] = [];
  const stops: string[] = [];
  let override: FakeHuggingChatReply | undefined;

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const loggedIn =
      request.headers.authorization === `Bearer ${FAKE_HF_TOKEN}` ||
      (request.headers.cookie ?? '').split(/;\s*/).includes(`hf-chat=${FAKE_HF_COOKIE}`);
    const models = JSON.parse(readFixture(FIXTURES, 'models.json')) as { json: Array<{ id: string }> };

    if (request.method === 'GET' && path === '/chat/api/v2/models') {
      return sendJson(response, 200, { json: models.json });
    }
    if (request.method === 'GET' && path === '/chat/api/v2/user') {
      return sendJson(response, 200, {
        json: loggedIn ? { id: 'u1', username: 'tester', email: null } : null,
      });
    }
    if (!loggedIn) return sendJson(response, 401, { message: 'Unauthorized' });

    if (request.method === 'POST' && path === '/chat/conversation') {
      const { model, preprompt } = JSON.parse(body.toString('utf8')) as { model: string; preprompt?: string };
      if (!models.json.some((m) => m.id === model))
        return sendJson(response, 400, { message: 'Invalid model' });
      const id = randomBytes(12).toString('hex');
      conversations.set(id, {
        model,
        preprompt,
        messages: [{ id: randomUUID(), from: 'system', content: preprompt ?? '' }],
      });
      return sendJson(response, 200, { conversationId: id });
    }
    const read = /^\/chat\/api\/v2\/conversations\/([0-9a-f]+)$/.exec(path);
    if (read?.[1]) {
      const conversation = conversations.get(read[1]);
      if (!conversation) return sendJson(response, 404, { message: 'Conversation not found' });
      if (request.method === 'DELETE') {
        conversations.delete(read[1]);
        return sendJson(response, 200, { json: { success: true } });
      }
      return sendJson(response, 200, {
        json: {
          id: read[1],
          model: conversation.model,
          messages: conversation.messages,
          rootMessageId: conversation.messages[0]?.id,
        },
      });
    }
    const stop = /^\/chat\/conversation\/([0-9a-f]+)\/stop-generating$/.exec(path);
    if (stop?.[1] && request.method === 'POST') {
      stops.push(stop[1]);
      response.writeHead(204).end();
      return;
    }
    const post = /^\/chat\/conversation\/([0-9a-f]+)$/.exec(path);
    if (post?.[1] && request.method === 'POST') {
      const conversation = conversations.get(post[1]);
      if (!conversation) return sendJson(response, 404, { message: 'Conversation not found' });
      const form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? '' },
        body: new Uint8Array(body),
      }).formData();
      const data = JSON.parse(String(form.get('data'))) as RecordedTurn['data'];
      const files: RecordedTurn['files'] = [];
      for (const value of form.getAll('files')) {
        if (typeof value === 'string') continue;
        files.push({ filename: value.name, type: value.type, content: await value.text() });
      }
      turns.push({ conversationId: post[1], data, files });
      if (data.id !== conversation.messages.at(-1)?.id)
        return sendJson(response, 400, { message: 'Invalid parent message' });
      conversation.messages.push({ id: randomUUID(), from: 'user', content: data.inputs ?? '' });
      // chat-ui creates the (empty) assistant message before it streams into it: it is the tip at once.
      conversation.messages.push({ id: randomUUID(), from: 'assistant', content: '' });
      const reply = override ?? fixtureFor(data.inputs ?? '');
      response.writeHead(200, { 'content-type': 'application/jsonl' });
      let gone = false;
      response.on('close', () => {
        gone = !response.writableEnded;
      });
      if (reply.kind === 'fixture') {
        await writeInPieces(response, wireOf(readFixture(FIXTURES, reply.name)), {
          chunkBytes: 5,
          stopped: () => gone,
        });
      } else {
        response.write(`${JSON.stringify({ type: 'status', status: 'started' })}\n`);
        for (const word of words(reply.count)) {
          if (gone || stops.includes(post[1])) break;
          response.write(`${JSON.stringify({ type: 'stream', token: word })}\n`);
          await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        }
        response.write(
          `${JSON.stringify({ type: 'finalAnswer', text: words(reply.count).join(''), interrupted: false })}\n`,
        );
      }
      if (!gone) response.end();
      return;
    }
    sendJson(response, 404, { message: `No route ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/chat`,
    conversations,
    turns,
    stops,
    replyWith(reply) {
      override = reply;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
