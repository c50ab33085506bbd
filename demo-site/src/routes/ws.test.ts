import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { DemoSite } from '../index.ts';
import { SiteClient, startTestSite } from '../testing/site-client.ts';

type WsFrame = { type: string; messageId?: string; delta?: string; [key: string]: unknown };

function connect(site: DemoSite, cookie?: string): Promise<WebSocket> {
  const ws = new WebSocket(`${site.url.replace('http', 'ws')}/api/ws`, cookie ? { headers: { cookie } } : {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Subscribes and collects frames for `messageId` until done/error (or `stopAfter` says so). */
function collect(
  ws: WebSocket,
  messageId: string,
  stopAfter?: (frames: WsFrame[]) => boolean,
): Promise<WsFrame[]> {
  const frames: WsFrame[] = [];
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as WsFrame;
      if (frame.messageId !== messageId) return;
      frames.push(frame);
      if (frame.type === 'done' || frame.type === 'error' || stopAfter?.(frames)) {
        ws.off('message', onMessage);
        resolve(frames);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', () => resolve(frames));
    ws.once('error', reject);
    ws.send(JSON.stringify({ type: 'subscribe', messageId }));
  });
}

const text = (frames: WsFrame[]) =>
  frames
    .filter((f) => f.type === 'text')
    .map((f) => f.delta)
    .join('');

describe('WebSocket transport', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite({
      slowWordDelayMs: 15,
      accounts: [
        { username: 'demo', password: 'demo-password' },
        { username: 'ana', password: 'ana-secret' },
      ],
    });
    client = await SiteClient.login(site);
  });
  after(() => site.close());

  test('POST /api/messages is 202 and the frames arrive over /api/ws', async () => {
    const accepted = await client.json<{ threadId: string; messageId: string; turn: number }>(
      '/api/messages',
      {
        json: { model: 'reasoning-1', text: 'count to 3' },
      },
    );
    assert.equal(accepted.status, 202);
    assert.equal(accepted.body.turn, 1);
    const ws = await connect(site, client.cookie);
    const frames = await collect(ws, accepted.body.messageId);
    ws.close();
    assert.deepEqual(frames[0], {
      type: 'meta',
      messageId: accepted.body.messageId,
      threadId: accepted.body.threadId,
      turn: 1,
    });
    assert.ok(frames.some((f) => f.type === 'thinking'));
    assert.match(text(frames), /^\[reasoning-1\] turn=1 .*\n\n1 2 3$/);
    assert.equal(frames.at(-1)?.type, 'done');
    assert.equal(frames.at(-1)?.finishReason, 'stop');
  });

  test('a late subscriber gets every frame already sent, then the live ones', async () => {
    const accepted = await client.json<{ messageId: string }>('/api/messages', {
      json: { model: 'slow-1', text: 'go' },
    });
    const ws1 = await connect(site, client.cookie);
    const early = await collect(
      ws1,
      accepted.body.messageId,
      (frames) => frames.filter((f) => f.type === 'text').length >= 5,
    );
    ws1.close();
    const ws2 = await connect(site, client.cookie);
    const late = await collect(ws2, accepted.body.messageId);
    ws2.close();
    assert.deepEqual(
      late.slice(0, early.length),
      early,
      'the replay starts with what the first subscriber saw',
    );
    assert.equal(late.at(-1)?.type, 'done');
    const thread = await client.json<{ messages: Array<{ text: string; status: string }> }>(
      `/api/threads/${late[0]?.threadId}`,
    );
    assert.equal(thread.body.messages[1]?.text, text(late));
    // After the end, a subscriber still gets the full replay.
    const ws3 = await connect(site, client.cookie);
    assert.deepEqual(await collect(ws3, accepted.body.messageId), late);
    ws3.close();
  });

  test('stop over HTTP ends the WebSocket stream with done stopped:true', async () => {
    const accepted = await client.json<{ messageId: string }>('/api/messages', {
      json: { model: 'slow-1', text: 'go on' },
    });
    const ws = await connect(site, client.cookie);
    const framesPromise = collect(ws, accepted.body.messageId);
    const stop = await client.json(`/api/messages/${accepted.body.messageId}/stop`, { method: 'POST' });
    assert.deepEqual(stop.body, { stopped: true });
    const frames = await framesPromise;
    ws.close();
    assert.equal(frames.at(-1)?.type, 'done');
    assert.equal(frames.at(-1)?.stopped, true);
  });

  test('unknown message ids and bad frames get error frames; the socket stays usable', async () => {
    const ws = await connect(site, client.cookie);
    const errors: WsFrame[] = [];
    ws.on('message', (data) => errors.push(JSON.parse(data.toString()) as WsFrame));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'subscribe', messageId: 'msg_missing' }));
    const accepted = await client.json<{ messageId: string }>('/api/messages', {
      json: { model: 'text-1', text: 'ok' },
    });
    const frames = await collect(ws, accepted.body.messageId);
    ws.close();
    assert.equal(frames.at(-1)?.type, 'done');
    assert.deepEqual(
      errors.filter((f) => f.type === 'error').map((f) => f.code),
      ['bad_request', 'message_not_found'],
    );
  });

  test('the upgrade needs a session cookie (401 otherwise)', async () => {
    await assert.rejects(connect(site), /upgrade refused: 401/);
    await assert.rejects(connect(site, 'demo_session=forged'), /upgrade refused: 401/);
  });

  test('another account cannot subscribe to my messages', async () => {
    const accepted = await client.json<{ messageId: string }>('/api/messages', {
      json: { model: 'text-1', text: 'mine' },
    });
    const other = await SiteClient.login(site, 'ana', 'ana-secret');
    const ws = await connect(site, other.cookie);
    const frames = await collect(ws, accepted.body.messageId);
    ws.close();
    assert.deepEqual(
      frames.map((f) => [f.type, f.code]),
      [['error', 'message_not_found']],
    );
  });

  test('the dropWebSockets fault cuts every open socket once; new ones connect again', async () => {
    const sockets = await Promise.all([connect(site, client.cookie), connect(site, client.cookie)]);
    const closed = sockets.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    site.setFaults({ dropWebSockets: true });
    await Promise.all(closed);
    assert.deepEqual(site.faults(), {});
    const again = await connect(site, client.cookie);
    assert.equal(again.readyState, WebSocket.OPEN);
    again.close();
  });
});
