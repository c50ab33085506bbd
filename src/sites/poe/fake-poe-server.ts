import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { readFixture } from '../kit/replay-fixture.ts';
import { DEFAULT_TAG_SALT } from './poe-gql-request.ts';
import type { TchannelData } from './poe-page-secrets.ts';

/**
 * Test support: a local poe.com for the web adapter. It checks what the real site checks per the
 * references (the `p-b` cookie, `Poe-Formkey`, the `poe-tag-id` MD5 signature, the persisted-query
 * hash of every operation) and pushes replies over its update WebSocket from the fixtures in
 * `__fixtures__/`, including frames for a new chat sent before the send mutation is answered.
 */
export const FAKE_POE_PB = 'fake-p-b-cookie-value';
export const FAKE_POE_FORMKEY = 'f0rmk3yf0rmk3yf0rmk3yf0rmk3y0123';
const FIXTURES = new URL('./__fixtures__/', import.meta.url);
const HASHES = JSON.parse(readFileSync(new URL('./operation-hashes.json', import.meta.url), 'utf8')) as {
  operations: Record<string, { queryName: string; hash: string }>;
};

export interface FakePoeServer {
  url: string;
  /** Points the adapter's update socket at this server. */
  channelUrl(tchannel: TchannelData): string;
  chats: Map<number, { bot: string; messages: string[] }>;
  sends: Array<Record<string, unknown>>;
  stops: Array<Record<string, unknown>>;
  subscriptions: unknown[];
  pongs: number;
  connections: number;
  uploads: Array<{ filename: string; type: string; size: number }>;
  /** The next send answers with this status (reached_limit, no_access…). */
  refuseNextWith(status: string | undefined): void;
  /** Every operation's hash is now unknown to the server (a Poe release rotated them). */
  rotateHashes(rotated: boolean): void;
  close(): Promise<void>;
}

export async function startFakePoeServer(): Promise<FakePoeServer> {
  const chats = new Map<number, { bot: string; messages: string[] }>();
  const sends: Array<Record<string, unknown>> = [];
  const stops: Array<Record<string, unknown>> = [];
  const subscriptions: unknown[] = [];
  const uploads: FakePoeServer['uploads'] = [];
  const sockets = new Set<WebSocket>();
  const state = {
    pongs: 0,
    connections: 0,
    refusal: undefined as string | undefined,
    rotated: false,
    nextChat: 1001,
  };
  const stopped = new Set<number>();
  let newSocket: (() => void) | undefined;

  const broadcast = (frame: string) => {
    for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send(frame);
  };

  async function pushReply(chatId: number, prompt: string, beforeAnswer: { frames: number }): Promise<void> {
    if (/long story/i.test(prompt)) {
      let text = '';
      for (let i = 1; i <= 40 && !stopped.has(chatId); i++) {
        text += `word${i} `;
        broadcast(botFrame(chatId, text, 'incomplete'));
        await sleep(25);
      }
      if (!stopped.has(chatId)) broadcast(botFrame(chatId, text, 'complete'));
      return;
    }
    const name = /too long/i.test(prompt)
      ? 'reply-too-long-frames.jsonl'
      : /rewrite/i.test(prompt)
        ? 'reply-rewrite-frames.jsonl'
        : /refetch/i.test(prompt)
          ? 'reply-refetch-frames.jsonl'
          : 'reply-frames.jsonl';
    const lines = fixtureLines(name).slice(beforeAnswer.frames);
    let connectionsAtLastFrame = state.connections;
    for (const line of lines) {
      if (line === 'PAUSE') {
        // The client may already have reconnected while we slept after the frame before the pause.
        if (state.connections > connectionsAtLastFrame) await sleep(100);
        else
          await new Promise<void>((resolve) => {
            newSocket = resolve;
          });
        continue;
      }
      connectionsAtLastFrame = state.connections;
      broadcast(line.replaceAll('__CHAT_ID__', String(chatId)));
      await sleep(5);
    }
  }

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0];
    const cookies = request.headers.cookie ?? '';
    if (!cookies.split(/;\s*/).includes(`p-b=${FAKE_POE_PB}`)) {
      response.writeHead(302, { location: '/login' }).end();
      return;
    }
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, {
        'content-type': 'text/html',
        'set-cookie': '__cf_bm=cloudflare-bot-cookie; Path=/; HttpOnly',
      });
      response.end(readFixture(FIXTURES, 'homepage.html'));
      return;
    }
    if (request.headers['poe-formkey'] !== FAKE_POE_FORMKEY)
      return sendJson(response, 403, { error: 'bad formkey' });
    if (request.method === 'POST' && path === '/api/finish_upload_POST') {
      const form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? '' },
        body: new Uint8Array(body),
      }).formData();
      const file = form.get('file');
      if (!file || typeof file === 'string') return sendJson(response, 400, { error: 'no file' });
      uploads.push({ filename: file.name, type: file.type, size: file.size });
      return sendJson(response, 200, withoutNote(readFixture(FIXTURES, 'finish-upload.json')));
    }
    if (request.method !== 'POST' || path !== '/api/gql_POST')
      return sendJson(response, 404, { error: 'no route' });

    const text = body.toString('utf8');
    const tag = createHash('md5')
      .update(text + FAKE_POE_FORMKEY + DEFAULT_TAG_SALT)
      .digest('hex');
    if (request.headers['poe-tag-id'] !== tag) return sendJson(response, 400, { error: 'bad poe-tag-id' });
    const gql = JSON.parse(text) as {
      queryName: string;
      variables: Record<string, unknown>;
      extensions: { hash: string };
    };
    if (request.headers['poe-queryname'] !== gql.queryName)
      return sendJson(response, 400, { error: 'poe-queryname mismatch' });
    const known = Object.values(HASHES.operations).find((op) => op.queryName === gql.queryName);
    if (state.rotated || !known || known.hash !== gql.extensions.hash) {
      return sendJson(response, 200, withoutNote(readFixture(FIXTURES, 'persisted-query-not-found.json')));
    }
    const v = gql.variables;
    switch (gql.queryName) {
      case 'subscriptionsMutation':
        subscriptions.push(v.subscriptions);
        return sendJson(response, 200, { data: { autoSubscribe: { viewer: { id: 'Vmlld2VyOjA=' } } } });
      case 'SettingsPageQuery':
        return sendJson(response, 200, {
          data: { viewer: { poeUser: { handle: 'tester' }, messagePointInfo: {} } },
        });
      case 'availableBotsSelectorModalPaginationQuery': {
        const page = v.cursor === null ? 1 : v.cursor === 'cursor-1' ? 2 : 3;
        return sendJson(
          response,
          200,
          withoutNote(readFixture(FIXTURES, `available-bots-page-${page}.json`)),
        );
      }
      case 'DeleteChat': {
        if (!chats.delete(Number(v.chatId)))
          return sendJson(response, 200, { data: null, errors: [{ message: 'Chat not found' }] });
        return sendJson(response, 200, { data: { deleteChat: { viewer: { id: 'v' } } } });
      }
      case 'StopMessage_messageCancel_Mutation': {
        stops.push(v);
        for (const [id] of chats) stopped.add(id);
        return sendJson(response, 200, { data: { messageCancel: { success: true } } });
      }
      case 'sendMessageMutation': {
        sends.push(v);
        if (state.refusal) {
          const refusals = JSON.parse(readFixture(FIXTURES, 'send-message-refusals.json')) as Record<
            string,
            unknown
          >;
          const refusal = refusals[state.refusal];
          state.refusal = undefined;
          return sendJson(response, 200, refusal);
        }
        let chatId: number;
        let early = 0;
        if (v.chatId === null) {
          chatId = state.nextChat++;
          chats.set(chatId, { bot: String(v.bot), messages: [] });
          if (!SPECIAL_PROMPT.test(String(v.query))) {
            // Poe may push a new chat's first frames before the mutation's answer arrives.
            early = 2;
            for (const line of fixtureLines('reply-frames.jsonl').slice(0, early)) {
              broadcast(line.replaceAll('__CHAT_ID__', String(chatId)));
            }
            await sleep(20);
          }
        } else {
          chatId = Number(v.chatId);
          if (!chats.has(chatId))
            return sendJson(response, 200, { data: null, errors: [{ message: 'Chat not found' }] });
        }
        stopped.delete(chatId);
        chats.get(chatId)?.messages.push(String(v.query));
        sendJson(
          response,
          200,
          JSON.parse(
            withoutNoteText(readFixture(FIXTURES, 'send-message-success.json')).replace(
              '"__CHAT_ID__"',
              String(chatId),
            ),
          ),
        );
        void pushReply(chatId, String(v.query), { frames: early });
        return;
      }
      default:
        return sendJson(response, 200, { data: null, errors: [{ message: `unexpected ${gql.queryName}` }] });
    }
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (!/^\/up\/[^/]+\/updates/.test(request.url ?? '')) return socket.destroy();
    wss.handleUpgrade(request, socket, head, (ws) => {
      state.connections++;
      sockets.add(ws);
      ws.on('message', (data) => {
        if (String(data) === '{"type":"pong"}') state.pongs++;
      });
      ws.on('close', () => sockets.delete(ws));
      const resume = newSocket;
      newSocket = undefined;
      // The client re-subscribes over HTTP after opening; give it a moment before resuming.
      if (resume) setTimeout(resume, 100);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    channelUrl: (t) =>
      `ws://127.0.0.1:${port}/up/${t.boxName}/updates?min_seq=${t.minSeq}&channel=${t.channel}&hash=${t.channelHash}`,
    chats,
    sends,
    stops,
    subscriptions,
    uploads,
    get pongs() {
      return state.pongs;
    },
    get connections() {
      return state.connections;
    },
    refuseNextWith(status) {
      state.refusal = status;
    },
    rotateHashes(rotated) {
      state.rotated = rotated;
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SPECIAL_PROMPT = /long story|too long|rewrite|refetch/i;

/** A frames fixture without its `#` source header. */
function fixtureLines(name: string): string[] {
  return readFixture(FIXTURES, name)
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function botFrame(chatId: number, text: string, state: string): string {
  const inner = JSON.stringify({
    message_type: 'subscriptionUpdate',
    payload: {
      subscription_name: 'messageAdded',
      unique_id: `messageAdded:${chatId}`,
      data: { messageAdded: { messageId: 3000 + chatId, text, state, author: 'gpt4_o' } },
    },
  });
  return JSON.stringify({ messages: [inner] });
}

function withoutNoteText(text: string): string {
  const value = JSON.parse(text) as Record<string, unknown>;
  delete value._fixture;
  return JSON.stringify(value);
}

function withoutNote(text: string): unknown {
  return JSON.parse(withoutNoteText(text));
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
