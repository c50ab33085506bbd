/**
 * Two gateway instances on one Postgres database, each with the same three accounts: a cooldown
 * or a ban one instance learns from its site reaches the other through the store, which then
 * routes around the account without ever meeting the error itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type PostgresServer, postgresSkip, startPostgres } from '../support/postgres-server.ts';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';

const ADMIN_TOKEN = 'admin-token-for-pool-instances-0123456789';
const ACCOUNTS = [
  { id: 'one' },
  { id: 'two', credentials: { username: 'demo-2', password: 'demo-2-password' } },
  { id: 'three', credentials: { username: 'demo-3', password: 'demo-3-password' } },
];

async function accountView(stack: Stack, id: string) {
  const response = await fetch(`${stack.url}/admin/api/accounts/${id}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return (await response.json()) as { status: string; model_health: Record<string, { status: string }> };
}

async function usernames(stack: Stack): Promise<string[]> {
  const response = await fetch(`${stack.demo.url}/__control/received?limit=1000`);
  return ((await response.json()) as { messages: Array<{ username: string }> }).messages.map(
    (m) => m.username,
  );
}

const skip = postgresSkip();
describe('account pool health shared by two instances on Postgres', { skip }, () => {
  let server: PostgresServer | undefined;
  let first: Stack;
  let second: Stack;
  before(async () => {
    server = await startPostgres();
    const databaseUrl = await server.createDatabase();
    const options = {
      site: { accounts: ACCOUNTS, pool: { maxWaitMs: 0, syncSeconds: 1 } },
      config: { adminToken: ADMIN_TOKEN, databaseUrl },
    };
    first = await startStack(options);
    second = await startStack(options);
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await server?.stop();
  });

  test('a cooldown and a ban met by one instance steer the other within the sync interval', async () => {
    const control = (stack: Stack, username: string, faults: object) =>
      fetch(`${stack.demo.url}/__control/accounts/${username}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
    // Only the first instance's site limits account one on text-1, and bans account three.
    await control(first, 'demo', { rateLimited: { models: ['text-1'], retryAfterSeconds: 120 } });
    await control(first, 'demo-3', { banned: 'spam' });
    const openaiFirst = new OpenAI({ baseURL: first.openaiBaseUrl, apiKey: first.key, maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      await openaiFirst.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: `first instance ${i}` }],
      });
    }
    assert.equal((await accountView(first, 'one')).model_health['text-1']?.status, 'cooling');
    assert.equal((await accountView(first, 'three')).status, 'banned');

    const seen = await eventually(async () => {
      const [one, three] = [await accountView(second, 'one'), await accountView(second, 'three')];
      return one.model_health['text-1']?.status === 'cooling' && three.status === 'banned'
        ? { one, three }
        : undefined;
    }, 5000);
    assert.ok(seen);
    const openaiSecond = new OpenAI({ baseURL: second.openaiBaseUrl, apiKey: second.key, maxRetries: 0 });
    for (let i = 0; i < 4; i++) {
      await openaiSecond.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: `second instance ${i}` }],
      });
    }
    assert.deepEqual(
      [...new Set(await usernames(second))],
      ['demo-2'],
      'the second instance used only the account the first found healthy',
    );
  });
});
