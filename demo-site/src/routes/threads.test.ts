import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DemoSite } from '../index.ts';
import { SiteClient, startTestSite, textOf } from '../testing/site-client.ts';

interface ThreadJson {
  id: string;
  title: string;
  model: string;
  systemPrompt: string | null;
  createdAt: string;
  updatedAt: string;
  turns: number;
}

describe('threads', () => {
  let site: DemoSite;
  let client: SiteClient;
  before(async () => {
    site = await startTestSite();
    client = await SiteClient.login(site);
  });
  after(() => site.close());

  test('models are listed with capabilities', async () => {
    const { body } = await client.json<{
      models: Array<{ id: string; capabilities: Record<string, boolean>; maxInputChars: number }>;
    }>('/api/models');
    assert.deepEqual(
      body.models.map((m) => m.id),
      ['text-1', 'vision-1', 'reasoning-1', 'tools-1', 'slow-1', 'fast-1'],
    );
    const byId = new Map(body.models.map((m) => [m.id, m]));
    assert.equal(byId.get('vision-1')?.capabilities.vision, true);
    assert.equal(byId.get('vision-1')?.capabilities.files, true);
    assert.equal(byId.get('reasoning-1')?.capabilities.reasoning, true);
    assert.equal(byId.get('tools-1')?.capabilities.tools, true);
    assert.ok(body.models.every((m) => m.capabilities.systemPrompt && m.maxInputChars === 100_000));
  });

  test('create, get, list (newest first), rename, delete', async () => {
    const a = await client.json<{ thread: ThreadJson }>('/api/threads', {
      json: { title: 'First', model: 'reasoning-1' },
    });
    assert.equal(a.status, 201);
    assert.deepEqual(
      { ...a.body.thread, id: '', createdAt: '', updatedAt: '' },
      {
        id: '',
        title: 'First',
        model: 'reasoning-1',
        systemPrompt: null,
        createdAt: '',
        updatedAt: '',
        turns: 0,
      },
    );
    const b = await client.json<{ thread: ThreadJson }>('/api/threads', {
      json: { systemPrompt: 'Be kind.' },
    });
    assert.equal(b.body.thread.title, 'New chat');
    assert.equal(b.body.thread.model, 'text-1');
    assert.equal(b.body.thread.systemPrompt, 'Be kind.');

    const list = await client.json<{ threads: ThreadJson[] }>('/api/threads');
    const ids = list.body.threads.map((t) => t.id);
    assert.ok(ids.indexOf(b.body.thread.id) < ids.indexOf(a.body.thread.id));

    const renamed = await client.json<{ thread: ThreadJson }>(`/api/threads/${a.body.thread.id}`, {
      method: 'PATCH',
      json: { title: 'Renamed', systemPrompt: 'New rules.' },
    });
    assert.equal(renamed.body.thread.title, 'Renamed');
    assert.equal(renamed.body.thread.systemPrompt, 'New rules.');
    const listed = await client.json<{ threads: ThreadJson[] }>('/api/threads');
    assert.equal(listed.body.threads[0]?.id, a.body.thread.id, 'a change moves the thread to the top');

    const got = await client.json<{ thread: ThreadJson; messages: unknown[] }>(
      `/api/threads/${a.body.thread.id}`,
    );
    assert.deepEqual(got.body.messages, []);
    assert.equal(got.body.thread.title, 'Renamed');

    const del = await client.request(`/api/threads/${a.body.thread.id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    const gone = await client.json<{ error: { code: string } }>(`/api/threads/${a.body.thread.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'thread_not_found');
  });

  test('a thread created by POST /api/threads is continued by /api/chat with its system prompt', async () => {
    const created = await client.json<{ thread: ThreadJson }>('/api/threads', {
      json: { systemPrompt: 'Sys.' },
    });
    const { events } = await client.chat({
      threadId: created.body.thread.id,
      model: 'text-1',
      text: 'hi there',
    });
    assert.match(textOf(events), /turn=1 .* system=[0-9a-f]{12}\n\nYou said: hi there$/);
    const thread = await client.json<{
      thread: ThreadJson;
      messages: Array<{ role: string; turn: number; text: string }>;
    }>(`/api/threads/${created.body.thread.id}`);
    assert.equal(thread.body.thread.turns, 1);
    assert.equal(thread.body.thread.title, 'hi there', 'the first message names an untitled thread');
    assert.deepEqual(
      thread.body.messages.map((m) => [m.role, m.turn]),
      [
        ['user', 1],
        ['assistant', 1],
      ],
    );
  });

  test('unknown threads and models', async () => {
    for (const [method, path] of [
      ['GET', '/api/threads/thr_nope'],
      ['PATCH', '/api/threads/thr_nope'],
      ['DELETE', '/api/threads/thr_nope'],
    ]) {
      const res = await client.json<{ error: { code: string } }>(path ?? '', {
        method,
        ...(method === 'PATCH' ? { json: { title: 'x' } } : {}),
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, 'thread_not_found');
    }
    const chat = await client.chat({ threadId: 'thr_nope', model: 'text-1', text: 'x' });
    assert.equal(chat.status, 404);
    const model = await client.json<{ error: { code: string } }>('/api/threads', {
      json: { model: 'gpt-9' },
    });
    assert.equal(model.status, 404);
    assert.equal(model.body.error.code, 'unknown_model');
  });
});
