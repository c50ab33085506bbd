import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createUsersRepository } from '../../src/multi-user/users-repository.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { type Stack, startStack } from '../support/start-stack.ts';

describe('multi-user keys through the real SDKs', () => {
  let stack: Stack;
  let store: Store;
  const keys: Record<string, string> = {};
  let carolUser = '';

  before(async () => {
    stack = await startStack();
    // A second connection to the gateway's own SQLite file, as the CLI would use.
    store = await openStore({ kind: 'sqlite', path: join(stack.dataDir, 'gateway.sqlite') });
    const users = createUsersRepository(store.db);
    for (const name of ['dana', 'carol', 'erin']) {
      const user = await users.createUser('test', name, name === 'erin' ? 5 : null);
      keys[name] = (await users.createKey('test', user.id, { name: 'k' })).key;
      if (name === 'carol') carolUser = user.id;
    }
    await users.updateUser('test', carolUser, { status: 'paused' });
  });
  after(async () => {
    await store.close();
    await stack.close();
  });

  test('a user key works with the OpenAI and Anthropic SDKs; the owner key still works', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: keys.dana, maxRetries: 0 });
    const chat = await openai.chat.completions.create({
      model: 'demo/fast-1',
      messages: [{ role: 'user', content: 'say hi' }],
    });
    assert.ok(chat.choices[0]?.message.content);
    const anthropic = new Anthropic({ baseURL: stack.url, apiKey: keys.dana, maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: 'demo/fast-1',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'say hi' }],
    });
    assert.equal(message.type, 'message');
    const owner = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    assert.ok((await owner.models.list()).data.length > 0);
  });

  test('a paused user gets 403 in both dialects; an unknown wcg- key 401', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: keys.carol, maxRetries: 0 });
    await assert.rejects(
      openai.chat.completions.create({ model: 'demo/fast-1', messages: [{ role: 'user', content: 'hi' }] }),
      (e) => e instanceof OpenAI.PermissionDeniedError,
    );
    const anthropic = new Anthropic({ baseURL: stack.url, apiKey: keys.carol, maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({
        model: 'demo/fast-1',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e) =>
        e instanceof Anthropic.PermissionDeniedError && JSON.stringify(e.error).includes('permission_error'),
    );
    const stranger = new OpenAI({
      baseURL: stack.openaiBaseUrl,
      apiKey: 'wcg-not-a-real-key',
      maxRetries: 0,
    });
    await assert.rejects(stranger.models.list(), (e) => e instanceof OpenAI.AuthenticationError);
  });

  test('over quota: 429 insufficient_quota (OpenAI) / rate_limit_error (Anthropic); the ledger matches', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: keys.erin, maxRetries: 0 });
    await assert.rejects(
      openai.chat.completions.create({
        model: 'demo/fast-1',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e) =>
        e instanceof OpenAI.RateLimitError &&
        e.code === 'insufficient_quota' &&
        e.type === 'insufficient_quota',
    );
    const anthropic = new Anthropic({ baseURL: stack.url, apiKey: keys.erin, maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({
        model: 'demo/fast-1',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e) => e instanceof Anthropic.RateLimitError,
    );
    const rows = await store.db.selectFrom('usage').selectAll().execute();
    const users = await store.db.selectFrom('users').selectAll().execute();
    for (const user of users) {
      const charged = rows
        .filter((r) => r.user_id === user.id)
        .reduce((sum, r) => sum + Number(r.charged_tokens), 0);
      assert.equal(charged, user.used_tokens, user.name);
      assert.equal(user.reserved_tokens, 0);
    }
    const dana = users.find((u) => u.name === 'dana');
    assert.ok(dana && dana.used_tokens > 0, 'dana was charged');
    assert.equal(users.find((u) => u.name === 'erin')?.used_tokens, 0);
    assert.ok(rows.every((r) => r.status === 'ok' && r.user_id === dana?.id));
  });

  test('GET /v1/usage shows only the calling key', async () => {
    const mine = await fetch(`${stack.openaiBaseUrl}/usage`, {
      headers: { authorization: `Bearer ${keys.dana}` },
    });
    assert.equal(mine.status, 200);
    const body = (await mine.json()) as {
      key: { requests: number; charged_tokens: number };
      remaining_tokens: null;
    };
    assert.ok(body.key.requests >= 2 && body.key.charged_tokens > 0);
    assert.equal(body.remaining_tokens, null);
    const erin = await fetch(`${stack.openaiBaseUrl}/usage`, {
      headers: { authorization: `Bearer ${keys.erin}` },
    });
    const erinBody = (await erin.json()) as {
      key: { requests: number };
      remaining_tokens: number;
      token_quota: number;
    };
    assert.deepEqual([erinBody.key.requests, erinBody.token_quota, erinBody.remaining_tokens], [0, 5, 5]);
  });
});
