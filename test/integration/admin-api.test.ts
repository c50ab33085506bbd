import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type PostgresServer, postgresSkip, startPostgres } from '../support/postgres-server.ts';
import { type Stack, startStack, TEST_KEY } from '../support/start-stack.ts';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { type: string; message: string; param?: string } };
}

function adminClient(stack: Stack, token: string | null = ADMIN_TOKEN) {
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${stack.url}/admin/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
}

const chatWith = (stack: Stack, key: string, model = 'demo/fast-1') =>
  new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: key, maxRetries: 0 }).chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'say hi' }],
  });

function adminApiSuite(engine: 'sqlite' | 'postgres', databaseUrl: () => Promise<string | undefined>) {
  describe(`admin API (${engine})`, () => {
    let stack: Stack;
    let admin: ReturnType<typeof adminClient>;
    before(async () => {
      const url = await databaseUrl();
      stack = await startStack({ config: { adminToken: ADMIN_TOKEN, ...(url ? { databaseUrl: url } : {}) } });
      admin = adminClient(stack);
    });
    after(() => stack.close());

    test('401 without the token, with a wrong one, and with any API key (the owner’s too)', async () => {
      const user = await admin('POST', '/users', { name: 'keyholder' });
      const key = (await admin('POST', `/users/${user.body.id}/keys`, { name: 'k' })).body.key as string;
      for (const token of [null, 'wrong-token-0123456789abcdef', TEST_KEY, key]) {
        const answer = await adminClient(stack, token)('GET', '/users');
        assert.equal(answer.status, 401, String(token));
        assert.equal(answer.body.error?.type, 'authentication_error');
        assert.equal(typeof answer.body.error?.message, 'string');
      }
    });

    test('users: create (201), duplicate (409), bad quota (400 naming it), get, list, patch, unknown (404)', async () => {
      const made = await admin('POST', '/users', { name: 'alice', token_quota: 1000 });
      assert.equal(made.status, 201);
      assert.deepEqual(
        { ...made.body, id: typeof made.body.id, created_at: typeof made.body.created_at },
        {
          id: 'string',
          object: 'user',
          name: 'alice',
          status: 'active',
          token_quota: 1000,
          used_tokens: 0,
          reserved_tokens: 0,
          rpm: null,
          tpm: null,
          max_concurrent: null,
          created_at: 'string',
          last_active_at: null,
        },
      );
      const duplicate = await admin('POST', '/users', { name: 'alice' });
      assert.equal(duplicate.status, 409);
      assert.match(duplicate.body.error?.message ?? '', /already exists/);
      for (const quota of [-1, 'lots', 1.5]) {
        const bad = await admin('POST', '/users', { name: `bad-${String(quota)}`, token_quota: quota });
        assert.equal(bad.status, 400, String(quota));
        assert.equal(bad.body.error?.param, 'token_quota');
      }
      assert.equal((await admin('POST', '/users', { name: 'x', extra: 1 })).status, 400);
      assert.equal((await admin('POST', '/users', {})).body.error?.param, 'name');

      const id = made.body.id as string;
      assert.equal((await admin('GET', `/users/${id}`)).body.name, 'alice');
      const list = await admin('GET', '/users');
      assert.ok((list.body.data as Array<{ name: string }>).some((u) => u.name === 'alice'));
      const patched = await admin('PATCH', `/users/${id}`, { token_quota: null });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.token_quota, null);
      assert.equal(
        (await admin('PATCH', `/users/${id}`, { status: 'sleeping' })).body.error?.param,
        'status',
      );
      for (const [method, path] of [
        ['GET', '/users/usr_nope'],
        ['PATCH', '/users/usr_nope'],
        ['DELETE', '/users/usr_nope'],
        ['POST', '/users/usr_nope/keys'],
        ['GET', '/users/usr_nope/keys'],
        ['DELETE', '/keys/key_nope'],
        ['POST', '/keys/key_nope/rotate'],
      ] as const) {
        const answer = await admin(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        assert.equal(answer.status, 404, `${method} ${path}`);
      }
    });

    test('keys: created once with the secret, listed without it, revoked at once; pause takes effect at once', async () => {
      const user = (await admin('POST', '/users', { name: 'bruno' })).body;
      const made = await admin('POST', `/users/${user.id}/keys`, { name: 'laptop' });
      assert.equal(made.status, 201);
      const key = made.body.key as string;
      assert.match(key, /^wcg-/);
      assert.ok(key.startsWith(String(made.body.prefix).replace(/…$/, '')));
      assert.ok((await chatWith(stack, key)).choices[0]?.message.content);

      const listed = await admin('GET', `/users/${user.id}/keys`);
      const text = JSON.stringify(listed.body);
      assert.ok(!text.includes(key) && !text.includes('key_hash'), text);
      assert.equal((listed.body.data as Array<{ name: string }>)[0]?.name, 'laptop');

      await admin('PATCH', `/users/${user.id}`, { status: 'paused' });
      await assert.rejects(chatWith(stack, key), OpenAI.PermissionDeniedError);
      await admin('PATCH', `/users/${user.id}`, { status: 'active' });
      assert.ok(await chatWith(stack, key));

      assert.equal((await admin('DELETE', `/keys/${made.body.id}`)).body.revoked, true);
      await assert.rejects(chatWith(stack, key), OpenAI.AuthenticationError);
      const anthropic = new Anthropic({ baseURL: stack.url, apiKey: key, maxRetries: 0 });
      await assert.rejects(
        anthropic.messages.create({
          model: 'demo/fast-1',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
        }),
        Anthropic.AuthenticationError,
      );
    });

    test('keys: model allow-list, expiry in the past refused, rotation with and without grace', async () => {
      const user = (await admin('POST', '/users', { name: 'chen' })).body;
      const limited = (await admin('POST', `/users/${user.id}/keys`, { name: 'l', models: ['demo/fast-*'] }))
        .body;
      assert.ok(await chatWith(stack, limited.key as string, 'demo/fast-1'));
      await assert.rejects(
        chatWith(stack, limited.key as string, 'demo/text-1'),
        (e: unknown) => e instanceof OpenAI.APIError && (e.status === 403 || e.status === 404),
      );
      const past = await admin('POST', `/users/${user.id}/keys`, { expires_at: '2020-01-01T00:00:00Z' });
      assert.equal(past.status, 400);
      assert.equal(past.body.error?.param, 'expires_at');
      assert.equal(
        (await admin('POST', `/users/${user.id}/keys`, { expires_at: 'tomorrow' })).body.error?.param,
        'expires_at',
      );

      const graced = (await admin('POST', `/users/${user.id}/keys`, { name: 'g' })).body;
      const rotated = await admin('POST', `/keys/${graced.id}/rotate`, { grace_seconds: 3600 });
      assert.equal(rotated.status, 201);
      assert.equal(rotated.body.replaces, graced.id);
      assert.ok(await chatWith(stack, graced.key as string), 'old key valid during the grace period');
      assert.ok(await chatWith(stack, rotated.body.key as string));

      const now = (await admin('POST', `/keys/${rotated.body.id}/rotate`, {})).body;
      await assert.rejects(chatWith(stack, rotated.body.key as string), OpenAI.AuthenticationError);
      assert.ok(await chatWith(stack, now.key as string));
    });

    test('usage: totals and rows by model, user and day agree; filters apply', async () => {
      const user = (await admin('POST', '/users', { name: 'dora' })).body;
      const key = (await admin('POST', `/users/${user.id}/keys`, {})).body.key as string;
      await chatWith(stack, key, 'demo/fast-1');
      await chatWith(stack, key, 'demo/text-1');
      const mine = await admin('GET', `/usage?user=${user.id}&group_by=model`);
      assert.equal(mine.status, 200);
      const totals = mine.body.totals as { requests: number; charged_tokens: number };
      assert.equal(totals.requests, 2);
      const rows = mine.body.rows as Array<{ model: string; requests: number; charged_tokens: number }>;
      assert.deepEqual(rows.map((r) => r.model).sort(), ['demo/fast-1', 'demo/text-1']);
      assert.equal(
        rows.reduce((sum, r) => sum + r.charged_tokens, 0),
        totals.charged_tokens,
      );
      const byDay = await admin('GET', `/usage?user=${user.id}&group_by=day`);
      const days = byDay.body.rows as Array<{ day: string; requests: number }>;
      assert.deepEqual(
        days.map((d) => d.day),
        [new Date().toISOString().slice(0, 10)],
      );
      assert.equal(days[0]?.requests, 2);
      const everyone = await admin('GET', '/usage?group_by=user');
      assert.ok((everyone.body.rows as Array<{ user_id: string }>).some((r) => r.user_id === user.id));
      const one = await admin('GET', `/usage?user=${user.id}&model=demo/text-1`);
      assert.equal((one.body.totals as { requests: number }).requests, 1);
      const future = await admin('GET', `/usage?user=${user.id}&from=2999-01-01T00:00:00Z`);
      assert.equal((future.body.totals as { requests: number }).requests, 0);
      assert.equal((await admin('GET', '/usage?group_by=week')).body.error?.param, 'group_by');
      assert.equal((await admin('GET', '/usage?from=yesterday')).body.error?.param, 'from');

      // Deleting the user stops its keys and keeps its usage.
      assert.equal((await admin('DELETE', `/users/${user.id}`)).body.deleted, true);
      await assert.rejects(
        chatWith(stack, key),
        (e: unknown) => e instanceof OpenAI.APIError && (e.status === 401 || e.status === 403),
      );
      assert.equal((await admin('GET', `/users/${user.id}`)).status, 404);
      const kept = await admin('GET', `/usage?user=${user.id}`);
      assert.equal((kept.body.totals as { requests: number }).requests, 2);
    });

    test('per-user admission limits set here apply at once; 0 or a fraction is a 400', async () => {
      const made = await admin('POST', '/users', { name: 'fern', rpm: 2 });
      assert.equal(made.body.rpm, 2);
      assert.equal(made.body.max_concurrent, null);
      const key = (await admin('POST', `/users/${made.body.id}/keys`, {})).body.key as string;
      const call = () =>
        fetch(`${stack.openaiBaseUrl}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'demo/fast-1', messages: [{ role: 'user', content: 'hi' }] }),
        });
      const first = await call();
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-ratelimit-limit-requests'), '2');
      assert.equal((await call()).status, 200);
      const third = await call();
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
      for (const bad of [0, -1, 1.5, 'ten']) {
        const answer = await admin('PATCH', `/users/${made.body.id}`, { rpm: bad });
        assert.equal(answer.status, 400, String(bad));
        assert.equal(answer.body.error?.param, 'rpm');
      }
      assert.equal(
        (await admin('PATCH', `/users/${made.body.id}`, { max_concurrent: 0 })).body.error?.param,
        'max_concurrent',
      );
      const cleared = await admin('PATCH', `/users/${made.body.id}`, { rpm: null, tpm: 50000 });
      assert.deepEqual([cleared.body.rpm, cleared.body.tpm], [null, 50000]);
      const snapshot = await admin('GET', '/admission');
      assert.equal(snapshot.body.enabled, true);
      assert.ok(
        Number((snapshot.body.rejections as Record<string, number>).user_rpm ?? 0) >= 1,
        JSON.stringify(snapshot.body),
      );
    });

    test('audit: every change, newest first, paged, never a secret', async () => {
      const user = (await admin('POST', '/users', { name: 'eve' })).body;
      const key = (await admin('POST', `/users/${user.id}/keys`, {})).body;
      await admin('DELETE', `/keys/${key.id}`);
      const page = await admin('GET', `/audit?limit=2`);
      const data = page.body.data as Array<{ id: string; action: string; actor: string; object_id: string }>;
      assert.deepEqual(
        data.map((row) => row.action),
        ['key.revoke', 'key.create'],
      );
      assert.equal(data[0]?.actor, 'admin-api');
      assert.equal(page.body.has_more, true);
      const next = await admin('GET', `/audit?limit=1&before=${data[1]?.id}`);
      assert.deepEqual(
        (next.body.data as Array<{ action: string }>).map((r) => r.action),
        ['user.create'],
      );
      const forUser = await admin('GET', `/audit?object_id=${user.id}`);
      assert.deepEqual(
        (forUser.body.data as Array<{ action: string }>).map((r) => r.action),
        ['user.create'],
      );
      const everything = JSON.stringify((await admin('GET', '/audit?limit=500')).body);
      assert.ok(!everything.includes(String(key.key)), 'a key secret in the audit log');
      assert.ok(!everything.includes(ADMIN_TOKEN));
    });
  });
}

adminApiSuite('sqlite', async () => undefined);

const skip = postgresSkip();
describe('admin API on Postgres', { skip }, () => {
  let server: PostgresServer | undefined;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => server?.stop());
  adminApiSuite('postgres', async () => server?.createDatabase());
});

describe('the admin token when none is configured', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  test('is generated once into the data dir (0600) and opens the admin API', async () => {
    const path = join(stack.dataDir, 'admin-token');
    const token = (await readFile(path, 'utf8')).trim();
    assert.match(token, /^wcg-admin-[\w-]{32}$/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(stack.gateway.generatedAdminToken?.key, token);
    assert.equal((await adminClient(stack, token)('GET', '/users')).status, 200);
    assert.equal((await adminClient(stack, TEST_KEY)('GET', '/users')).status, 401);
  });
});
