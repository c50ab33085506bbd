import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { DemoSite } from '../index.ts';
import { control, metaOf, readSse, SiteClient, startTestSite, textOf } from '../testing/site-client.ts';

type ErrorBody = { error: { code: string } };

describe('fault switches', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite();
    client = await SiteClient.login(site);
  });
  beforeEach(() => control(site, 'reset', {}));
  after(() => site.close());

  test('http500 with a count fails the next N sends, then clears itself', async () => {
    await control(site, 'faults', { http500: 2 });
    for (const path of ['/api/chat', '/api/messages']) {
      const res = await client.json<ErrorBody>(path, { json: { model: 'text-1', text: 'x' } });
      assert.equal(res.status, 500, path);
      assert.equal(res.body.error.code, 'fault_injected');
    }
    assert.equal((await client.chat({ model: 'text-1', text: 'x' })).status, 200);
    assert.deepEqual(await control(site, 'faults'), { faults: { http500: 0 } });
  });

  test('http500 true fails until cleared with {}', async () => {
    await control(site, 'faults', { http500: true });
    for (let i = 0; i < 3; i++) assert.equal((await client.chat({ model: 'text-1', text: 'x' })).status, 500);
    assert.equal((await client.json('/api/threads')).status, 200, 'other routes are unaffected');
    await control(site, 'faults', {});
    assert.equal((await client.chat({ model: 'text-1', text: 'x' })).status, 200);
  });

  test('midStreamDisconnect drops the SSE connection after a few text chunks, with no done', async () => {
    await control(site, 'faults', { midStreamDisconnect: true });
    const res = await client.request('/api/chat', { json: { model: 'text-1', text: 'count to 20' } });
    assert.equal(res.status, 200);
    const events: Array<{ event: string }> = [];
    await assert.rejects(
      readSse(res, (event) => {
        events.push(event);
        return true;
      }),
      /terminated|other side closed|socket/i,
    );
    assert.deepEqual(
      events.map((e) => e.event),
      ['meta', 'text', 'text', 'text'],
    );
    const stats = await control<{ clientAborts: number }>(site, 'stats');
    assert.equal(stats.clientAborts, 0, 'a server-side drop is not a client abort');
  });

  test('midStreamDisconnect closes the WebSocket too; the message ends as error', async () => {
    // The slow first token lets the subscriber attach before the drop happens.
    await control(site, 'faults', { midStreamDisconnect: 1, slowFirstTokenMs: 300 });
    const accepted = await client.json<{ messageId: string; threadId: string }>('/api/messages', {
      json: { model: 'slow-1', text: 'long' },
    });
    const ws = new WebSocket(`${site.url.replace('http', 'ws')}/api/ws`, {
      headers: { cookie: client.cookie ?? '' },
    });
    const types: string[] = [];
    await new Promise<void>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', messageId: accepted.body.messageId })));
      ws.on('message', (data) => types.push((JSON.parse(data.toString()) as { type: string }).type));
      ws.on('close', () => resolve());
      ws.on('error', () => undefined);
    });
    assert.deepEqual(types, ['meta', 'text', 'text', 'text']);
    await control(site, 'faults', {});
    const thread = await client.json<{ messages: Array<{ status: string }> }>(
      `/api/threads/${accepted.body.threadId}`,
    );
    assert.equal(thread.body.messages[1]?.status, 'error');
    // A subscriber arriving afterwards learns how the stream ended.
    const late = new WebSocket(`${site.url.replace('http', 'ws')}/api/ws`, {
      headers: { cookie: client.cookie ?? '' },
    });
    const replay = await new Promise<Array<{ type: string; code?: string }>>((resolve) => {
      const frames: Array<{ type: string; code?: string }> = [];
      late.on('open', () =>
        late.send(JSON.stringify({ type: 'subscribe', messageId: accepted.body.messageId })),
      );
      late.on('message', (data) => {
        frames.push(JSON.parse(data.toString()) as { type: string; code?: string });
        if (frames.at(-1)?.type === 'error') resolve(frames);
      });
    });
    late.close();
    assert.deepEqual(
      replay.map((f) => f.code ?? f.type),
      ['meta', 'text', 'text', 'text', 'stream_interrupted'],
    );
    // the count is used up: the next stream is whole
    const next = await client.chat({ model: 'text-1', text: 'x' });
    assert.equal(next.events.at(-1)?.event, 'done');
  });

  test('stallSeconds pauses mid-stream, then the stream continues to done', async () => {
    await control(site, 'faults', { stallSeconds: 0.4 });
    const res = await client.request('/api/chat', { json: { model: 'text-1', text: 'count to 3' } });
    const arrivals: number[] = [];
    const events = await readSse(res, () => {
      arrivals.push(Date.now());
      return true;
    });
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? t));
    assert.ok(Math.max(...gaps) >= 380, `largest gap ${Math.max(...gaps)} ms`);
    assert.equal(events.at(-1)?.event, 'done');
    assert.match(textOf(events), /1 2 3$/);
  });

  test('slowFirstTokenMs delays the first token (meta comes at once)', async () => {
    await control(site, 'faults', { slowFirstTokenMs: 300 });
    const started = Date.now();
    const res = await client.request('/api/chat', { json: { model: 'text-1', text: 'x' } });
    let metaAt = 0;
    let firstTextAt = 0;
    await readSse(res, (event) => {
      if (event.event === 'meta') metaAt = Date.now();
      if (event.event === 'text' && !firstTextAt) firstTextAt = Date.now();
      return true;
    });
    assert.ok(firstTextAt - started >= 290, `first text after ${firstTextAt - started} ms`);
    assert.ok(metaAt - started < 250, `meta after ${metaAt - started} ms`);
  });

  test('captcha: HTML pages get the interstitial, APIs a 403 challenge, the WebSocket is refused', async () => {
    await control(site, 'faults', { captcha: true });
    for (const path of ['/', '/login']) {
      const res = await client.request(path);
      assert.equal(res.status, 403, path);
      assert.match(await res.text(), /<title>Just a moment…<\/title>/);
    }
    const api = await client.json<ErrorBody>('/api/threads');
    assert.equal(api.status, 403);
    assert.equal(api.body.error.code, 'challenge');
    const login = await new SiteClient(site).login('demo', 'demo-password');
    assert.equal(login.status, 403);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${site.url.replace('http', 'ws')}/api/ws`, {
        headers: { cookie: client.cookie ?? '' },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    assert.equal(refused, 403);
    await control(site, 'faults', {});
    assert.equal((await client.json('/api/threads')).status, 200);
  });

  test('forceLogout destroys every session at once (one shot)', async () => {
    const other = await SiteClient.login(site);
    await control(site, 'faults', { forceLogout: true });
    for (const c of [client, other]) {
      const res = await c.json<ErrorBody>('/api/session');
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'not_logged_in');
    }
    assert.deepEqual(await control(site, 'faults'), { faults: {} });
    client = await SiteClient.login(site);
    assert.equal((await client.json('/api/session')).status, 200);
  });

  test('expireSessions makes current sessions report session_expired; new logins work', async () => {
    await control(site, 'faults', { expireSessions: true });
    const res = await client.json<ErrorBody>('/api/threads');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'session_expired');
    client = await SiteClient.login(site);
    assert.equal((await client.json('/api/threads')).status, 200);
  });
});

describe('control endpoints', () => {
  test('stats count logins, generations, uploads and requests; reset clears them', async () => {
    const site = await startTestSite();
    try {
      const client = await SiteClient.login(site);
      await client.chat({ model: 'text-1', text: 'a' });
      await client.upload(Buffer.from('x'), 'x.txt', 'text/plain');
      const stats = await control<Record<string, unknown>>(site, 'stats');
      assert.deepEqual(
        { ...stats, requestsByPath: undefined },
        {
          clientAborts: 0,
          stops: 0,
          generations: 1,
          activeGenerations: 0,
          peakActiveGenerations: 1,
          peakActiveByAccount: { demo: 1 },
          logins: 1,
          uploads: 1,
          requestsByPath: undefined,
        },
      );
      assert.equal((stats.requestsByPath as Record<string, number>)['POST /api/chat'], 1);
      assert.deepEqual(site.stats(), stats);
      await control(site, 'reset', {});
      assert.equal((await control<{ generations: number }>(site, 'stats')).generations, 0);
    } finally {
      await site.close();
    }
  });

  test('the received log shows exactly what arrived, and outlives thread deletion', async () => {
    const site = await startTestSite();
    try {
      const client = await SiteClient.login(site);
      const { events } = await client.chat({ model: 'text-1', text: '  exact\ttext ', systemPrompt: 'S' });
      const { threadId } = metaOf(events);
      await client.request(`/api/threads/${threadId}`, { method: 'DELETE' });
      const log = await control<{ texts: string[]; messages: Array<Record<string, unknown>> }>(
        site,
        `threads/${threadId}/log`,
      );
      assert.deepEqual(log.texts, ['  exact\ttext ']);
      assert.equal(log.messages[0]?.systemPrompt, 'S');
      assert.equal(log.messages[0]?.transport, 'sse');
      const recent = await control<{ messages: Array<{ text: string }> }>(site, 'received?limit=1');
      assert.deepEqual(
        recent.messages.map((m) => m.text),
        ['  exact\ttext '],
      );
      assert.deepEqual(site.threadLog(threadId), log.messages);
    } finally {
      await site.close();
    }
  });

  test('without control: true the endpoints do not exist', async () => {
    const site = await startTestSite({ control: false });
    try {
      for (const path of ['/__control/stats', '/__control/faults']) {
        const res = await fetch(`${site.url}${path}`);
        assert.equal(res.status, 404);
      }
      const res = await fetch(`${site.url}/__control/faults`, {
        method: 'POST',
        body: '{"captcha":true}',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 404);
      assert.equal((await fetch(`${site.url}/login`)).status, 200);
    } finally {
      await site.close();
    }
  });
});
