/**
 * The account pool against the demo site's three seeded accounts, over plain HTTP and in real
 * Chromium: rotation around a rate-limited (account, model), failover the SDKs never see, no retry
 * after the first byte, re-login and the "needs login" state, sticky threads with the flatten
 * fallback, keep-alive, the runtime admin API, and no secret in the data directory.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SITE_TRANSPORTS, type SiteTransport } from '../support/site-transports.ts';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';

const ADMIN_TOKEN = 'admin-token-for-pool-tests-0123456789';
const ACCOUNTS = [
  { id: 'one' },
  { id: 'two', credentials: { username: 'demo-2', password: 'demo-2-password' } },
  { id: 'three', credentials: { username: 'demo-3', password: 'demo-3-password' } },
];
const USERNAME: Record<string, string> = { one: 'demo', two: 'demo-2', three: 'demo-3' };

interface Received {
  threadId: string;
  username: string;
  model: string;
  text: string;
}

interface AccountView {
  id: string;
  status: string;
  reason: string | null;
  enabled: boolean;
  in_flight: number;
  login_url: string | null;
  remote_login_path: string | null;
  model_health: Record<string, { status: string; until: string | null }>;
  proxy: string | null;
}

async function control(stack: Stack, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.demo.url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `control ${path}: ${response.status}`);
  return response.json();
}

const accountFaults = (stack: Stack, username: string, faults: Record<string, unknown>) =>
  control(stack, `accounts/${username}/faults`, faults);

/** What the site received after `mark` (a count of earlier messages). */
async function receivedSince(stack: Stack, mark: number): Promise<Received[]> {
  const { messages } = (await control(stack, 'received?limit=1000')) as { messages: Received[] };
  return messages.slice(mark);
}

async function receivedCount(stack: Stack): Promise<number> {
  return (await receivedSince(stack, 0)).length;
}

async function admin(stack: Stack, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.url}/admin/api/accounts${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function accounts(stack: Stack): Promise<Map<string, AccountView>> {
  const { body } = await admin(stack, 'GET', '');
  return new Map((body.data as AccountView[]).map((account) => [account.id, account]));
}

function poolStack(
  transport: SiteTransport,
  pool: Record<string, unknown> = {},
  accountList: ReadonlyArray<Record<string, unknown>> = ACCOUNTS,
  demo: Record<string, unknown> = {},
) {
  return startStack({
    demo,
    site: { ...transport.site, accounts: accountList, pool: { maxWaitMs: 0, ...pool } },
    config: { adminToken: ADMIN_TOKEN },
  });
}

const ask = (client: OpenAI, model: string, content: string) =>
  client.chat.completions.create({ model: `demo/${model}`, messages: [{ role: 'user', content }] });

const POOL_TRANSPORTS = SITE_TRANSPORTS.filter((t) => t.key !== 'network-capture');

for (const transport of POOL_TRANSPORTS) {
  describe(`account pool — ${transport.name}`, () => {
    let stack: Stack;
    let openai: OpenAI;
    before(async () => {
      // slow-1 at 200 ms a word: the mid-stream drop (after 3 chunks) surely follows the first event.
      stack = await poolStack(transport, {}, ACCOUNTS, { slowWordDelayMs: 200 });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    test('a rate-limited (account, model) is skipped for that model only, and used again after its reset', async () => {
      await accountFaults(stack, 'demo', { rateLimited: { models: ['text-1'], retryAfterSeconds: 3 } });
      const mark = await receivedCount(stack);
      for (let i = 0; i < 6; i++) {
        const reply = await ask(openai, 'text-1', `limited ${i}`);
        assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
        if (i === 0) {
          // The first turn met the limit (round-robin starts at account one) and cooled text-1 only.
          const health = (await accounts(stack)).get('one');
          assert.equal(health?.model_health['text-1']?.status, 'cooling');
          assert.equal(health?.status, 'ok', 'the account as a whole stays in service');
        }
      }
      for (let i = 0; i < 3; i++) await ask(openai, 'vision-1', `other model ${i}`);
      const sent = await receivedSince(stack, mark);
      const text1 = sent.filter((m) => m.model === 'text-1').map((m) => m.username);
      assert.equal(text1.length, 6, 'each text-1 request reached the site once');
      assert.ok(!text1.includes('demo'), `text-1 avoided the limited account: ${text1}`);
      assert.deepEqual([...new Set(text1)].sort(), ['demo-2', 'demo-3'], 'both others took turns');
      const vision = sent.filter((m) => m.model === 'vision-1').map((m) => m.username);
      assert.ok(vision.includes('demo'), `vision-1 still used the limited account: ${vision}`);

      await accountFaults(stack, 'demo', {});
      await new Promise((resolve) => setTimeout(resolve, 3100));
      const again = await receivedCount(stack);
      for (let i = 0; i < 3; i++) await ask(openai, 'text-1', `after the reset ${i}`);
      const users = (await receivedSince(stack, again)).map((m) => m.username);
      assert.ok(users.includes('demo'), `the account is used again after its reset: ${users}`);
    });

    test('failover is invisible to the OpenAI and Anthropic SDKs; all cooling down is a 429 with retry-after', async () => {
      await accountFaults(stack, 'demo', { rateLimited: { retryAfterSeconds: 60 } });
      await accountFaults(stack, 'demo-2', { rateLimited: { retryAfterSeconds: 60 } });
      try {
        const stream = await openai.chat.completions.create({
          model: 'demo/fast-1',
          messages: [{ role: 'user', content: 'stream through the failover' }],
          stream: true,
        });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        assert.match(text, /turn=1/);
        const anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
        const message = await anthropic.messages.create({
          model: 'demo/fast-1',
          max_tokens: 200,
          messages: [{ role: 'user', content: 'anthropic through the failover' }],
        });
        assert.equal(message.type, 'message');
        assert.match(message.content[0]?.type === 'text' ? message.content[0].text : '', /turn=1/);

        await accountFaults(stack, 'demo-3', { rateLimited: { retryAfterSeconds: 60 } });
        const error = await ask(openai, 'fast-1', 'nobody can take this').then(
          () => assert.fail('expected a 429'),
          (caught: unknown) => caught,
        );
        assert.ok(error instanceof OpenAI.RateLimitError, String(error));
        assert.equal(error.status, 429);
        const retryAfter = Number(error.headers?.get('retry-after'));
        assert.ok(retryAfter >= 50 && retryAfter <= 60, `retry-after ${retryAfter}`);
        assert.equal((error.error as { type?: string })?.type, 'rate_limit_error');
        const anthropicError = await anthropic.messages
          .create({ model: 'demo/fast-1', max_tokens: 50, messages: [{ role: 'user', content: 'and now?' }] })
          .then(
            () => assert.fail('expected a 429'),
            (caught: unknown) => caught,
          );
        assert.ok(anthropicError instanceof Anthropic.RateLimitError, String(anthropicError));
      } finally {
        for (const user of ['demo', 'demo-2', 'demo-3']) await accountFaults(stack, user, {});
        // The cooldowns the faults caused end only by time or by a person: enable the accounts again.
        for (const id of ['one', 'two', 'three']) await admin(stack, 'PATCH', `/${id}`, { enabled: true });
      }
    });

    test('a drop after the first byte ends the stream with an error: no retry on another account, no repeated text', async () => {
      const before = await stack.demoStats();
      await stack.setFaults({ midStreamDisconnect: 1 });
      const stream = await openai.chat.completions.create({
        model: 'demo/slow-1',
        messages: [{ role: 'user', content: 'say a long thing that will be cut' }],
        stream: true,
      });
      let text = '';
      const failure = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(failure instanceof Error, 'the stream ended with an error event');
      const stats = await stack.demoStats();
      assert.equal(
        (stats.generations ?? 0) - (before.generations ?? 0),
        1,
        'one generation: nothing was retried',
      );
      const firstLine = text.match(/\[slow-1\] turn=1/g) ?? [];
      assert.ok(firstLine.length <= 1, `no text twice: ${text}`);
      await stack.setFaults({});
    });

    test('a logged-out account logs in again; one that needs a captcha shows as needs-login', async () => {
      await accountFaults(stack, 'demo', { forceLogout: true });
      for (let i = 0; i < 3; i++) {
        const reply = await ask(openai, 'fast-1', `after the logout ${i}`);
        assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
      }
      await accountFaults(stack, 'demo-2', { captcha: true, forceLogout: true });
      try {
        for (let i = 0; i < 4; i++) {
          const reply = await ask(openai, 'fast-1', `with a captcha on two ${i}`);
          assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
        }
        const two = await eventually(async () => {
          const view = (await accounts(stack)).get('two');
          return view?.status === 'needs-login' ? view : undefined;
        });
        assert.ok(two.reason, 'the state says why');
        if (transport.key === 'http') assert.equal(two.login_url, null, 'no remote login over HTTP');
        else assert.match(two.login_url ?? '', /^\/admin\/remote-login\/demo\.two$/);
        const { status, body } = await admin(stack, 'POST', '/two/login');
        if (transport.key === 'http') {
          // Over HTTP the configured login runs now, and the captcha stops it: the caller is told why.
          assert.equal(status, 503, JSON.stringify(body));
          assert.equal((body.error as { code?: string })?.code, 'site_login_required');
        } else {
          assert.equal(status, 200);
          assert.match(String(body.login_url), /demo\.two/);
        }
      } finally {
        await accountFaults(stack, 'demo-2', {});
        await admin(stack, 'POST', '/two/check');
      }
      await eventually(async () => ((await accounts(stack)).get('two')?.status === 'ok' ? true : undefined));
    });

    test('a banned account shows as banned with the reason, and serves again once checked after the ban is lifted', async () => {
      // A probe first: the account's keep-alive last saw it fine, so only the turn learns of the ban.
      assert.equal((await admin(stack, 'POST', '/three/check')).body.status, 'ok');
      await accountFaults(stack, 'demo-3', { banned: 'terms of service' });
      try {
        for (let i = 0; i < 4; i++) {
          const reply = await ask(openai, 'fast-1', `while three is banned ${i}`);
          assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
        }
        const three = (await accounts(stack)).get('three');
        assert.equal(three?.status, 'banned');
        assert.match(three?.reason ?? '', /terms of service/);
      } finally {
        await accountFaults(stack, 'demo-3', {});
      }
      const checked = await admin(stack, 'POST', '/three/check');
      assert.equal(checked.body.status, 'ok', JSON.stringify(checked.body));
      const mark = await receivedCount(stack);
      for (let i = 0; i < 3; i++) await ask(openai, 'fast-1', `three is back ${i}`);
      assert.ok((await receivedSince(stack, mark)).some((m) => m.username === 'demo-3'));
    });

    test('a continued conversation stays on its account; when that account is disabled it goes on by flattening, saying so', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [];
      const mark = await receivedCount(stack);
      for (const content of ['remember PAPAYA', 'continue 1', 'continue 2']) {
        messages.push({ role: 'user', content });
        const reply = await openai.chat.completions.create({ model: 'demo/text-1', messages });
        messages.push({ role: 'assistant', content: reply.choices[0]?.message.content ?? '' });
      }
      const sent = await receivedSince(stack, mark);
      assert.equal(new Set(sent.map((m) => m.threadId)).size, 1, 'one site thread');
      const holder = sent[0]?.username ?? '';
      assert.equal(new Set(sent.map((m) => m.username)).size, 1, 'one account');
      const holderId = Object.keys(USERNAME).find((id) => USERNAME[id] === holder) ?? '';

      const disabled = await admin(stack, 'PATCH', `/${holderId}`, { enabled: false });
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body.enabled, false);
      try {
        messages.push({ role: 'user', content: 'what did I ask you to remember' });
        const raw = await openai.chat.completions.create({ model: 'demo/text-1', messages }).withResponse();
        assert.equal(raw.response.headers.get('x-gateway-thread'), 'new; reason=account-unavailable');
        assert.match(raw.data.choices[0]?.message.content ?? '', /PAPAYA/);
        const last = (await receivedSince(stack, mark)).at(-1);
        assert.notEqual(last?.username, holder, 'another account took the conversation');
      } finally {
        await admin(stack, 'PATCH', `/${holderId}`, { enabled: true });
      }
    });

    test('an account behind an unreachable proxy is marked failing with the proxy named; the others serve', async () => {
      const added = await admin(stack, 'POST', '', {
        site: 'demo',
        id: 'proxied',
        proxy: 'http://user:proxy-secret@127.0.0.1:9',
        settings: { credentials: { username: 'demo-2', password: 'demo-2-password' } },
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.proxy, 'http://user:***@127.0.0.1:9', 'the proxy password is masked');
      try {
        for (let i = 0; i < 8; i++) {
          const reply = await ask(openai, 'fast-1', `around the dead proxy ${i}`);
          assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
        }
        const view = (await accounts(stack)).get('proxied');
        const health = view?.model_health['fast-1'];
        assert.ok(health && ['failing', 'cooling'].includes(health.status), JSON.stringify(view));
        const said = JSON.stringify(view);
        assert.match(said, /127\.0\.0\.1:9/, 'the reason names the proxy');
        assert.doesNotMatch(said, /proxy-secret/);
      } finally {
        await admin(stack, 'DELETE', '/proxied');
      }
    });

    test('the admin API adds, refuses, removes accounts at runtime; with none left the site answers 503', async () => {
      const duplicate = await admin(stack, 'POST', '', { site: 'demo', id: 'two' });
      assert.equal(duplicate.status, 409);
      const badProxy = await admin(stack, 'POST', '', { site: 'demo', id: 'four', proxy: 'ftp://nope' });
      assert.equal(badProxy.status, 400);
      assert.equal((badProxy.body.error as { param?: string })?.param, 'proxy');
      const badSite = await admin(stack, 'POST', '', { site: 'nowhere', id: 'four' });
      assert.equal(badSite.status, 400);

      const added = await admin(stack, 'POST', '', {
        site: 'demo',
        id: 'four',
        settings: { credentials: { username: 'demo-3', password: 'demo-3-password' } },
        models: ['fast-1'],
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(JSON.stringify(added.body).includes('demo-3-password'), false, 'no secret in the answer');
      for (const id of ['one', 'two', 'three']) await admin(stack, 'PATCH', `/${id}`, { enabled: false });
      const mark = await receivedCount(stack);
      const reply = await ask(openai, 'fast-1', 'only four is left');
      assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
      assert.equal((await receivedSince(stack, mark))[0]?.username, 'demo-3');
      const notOffered = await ask(openai, 'text-1', 'four does not serve text-1').then(
        () => assert.fail('expected an error'),
        (caught: unknown) => caught,
      );
      assert.ok(notOffered instanceof OpenAI.APIError && notOffered.status === 503, String(notOffered));

      assert.equal((await fetch(`${stack.url}/readyz`)).status, 200, 'ready while four serves');
      const list = await admin(stack, 'GET', '');
      for (const account of list.body.data as AccountView[]) {
        const removed = await admin(stack, 'DELETE', `/${account.id}`);
        assert.equal(removed.status, 200);
        assert.equal(removed.body.deleted, true);
      }
      assert.equal((await admin(stack, 'GET', '/four')).status, 404);
      const readyz = await fetch(`${stack.url}/readyz`);
      assert.equal(readyz.status, 503, 'not ready with no account left');
      assert.equal(((await readyz.json()) as { checks: Record<string, string> }).checks.accounts, 'failed');
      const none = await ask(openai, 'fast-1', 'no account at all').then(
        () => assert.fail('expected a 503'),
        (caught: unknown) => caught,
      );
      assert.ok(none instanceof OpenAI.APIError, String(none));
      assert.equal(none.status, 503);
      assert.match(none.message, /no account/i);
    });

    test('the data directory holds no password and no session cookie in plain text', async () => {
      const secrets = ['demo-password', 'demo-2-password', 'demo-3-password', 'demo_session'];
      const files: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile()) files.push(path);
        }
      };
      await walk(stack.dataDir);
      assert.ok(
        files.some((file) => file.endsWith('.sqlite')),
        `the store is there: ${files}`,
      );
      if (transport.key !== 'http') {
        assert.ok(
          files.some((file) => file.includes('storage-state')),
          `saved sessions: ${files}`,
        );
      }
      for (const file of files) {
        const content = await readFile(file);
        for (const secret of secrets) {
          assert.equal(content.includes(secret), false, `${secret} in ${file}`);
        }
      }
    });
  });
}

describe('account pool keep-alive', () => {
  let stack: Stack;
  before(async () => {
    stack = await poolStack(SITE_TRANSPORTS[0] as SiteTransport, { keepAliveSeconds: 1 });
  });
  after(() => stack.close());

  test('every account renews its ended session on its own, with no request', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await ask(openai, 'fast-1', `log every account in ${i}`);
    const before = await stack.demoStats();
    await stack.setFaults({ expireSessions: true });
    const stats = await eventually(async () => {
      const now = await stack.demoStats();
      return (now.logins ?? 0) - (before.logins ?? 0) >= 3 ? now : undefined;
    }, 8000);
    assert.equal(stats.generations, before.generations, 'no chat was sent to do it');
    const views = await accounts(stack);
    for (const id of ['one', 'two', 'three']) assert.equal(views.get(id)?.status, 'ok', id);
  });
});

describe('account pool changes across restarts', () => {
  test('runtime changes survive a restart, a removed-then-added config id starts, and so does a pool left with no account', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dataDir = await mkdtemp(join(tmpdir(), 'wcg-pool-restart-'));
    const restart = () =>
      startStack({
        dataDir,
        site: { accounts: ACCOUNTS.slice(0, 2), pool: { maxWaitMs: 0 } },
        config: { adminToken: ADMIN_TOKEN },
      });
    try {
      const first = await restart();
      try {
        assert.equal((await admin(first, 'PATCH', '/two', { enabled: false })).status, 200);
        assert.equal((await admin(first, 'DELETE', '/one')).status, 200);
        const readded = await admin(first, 'POST', '', {
          site: 'demo',
          id: 'one',
          settings: { credentials: { username: 'demo-3', password: 'demo-3-password' } },
        });
        assert.equal(readded.status, 201, JSON.stringify(readded.body));
      } finally {
        await first.close();
      }

      const second = await restart();
      try {
        const views = await accounts(second);
        assert.deepEqual([...views.keys()].sort(), ['one', 'two']);
        assert.equal(views.get('two')?.enabled, false, 'the disabling outlived the restart');
        const openai = new OpenAI({ baseURL: second.openaiBaseUrl, apiKey: second.key, maxRetries: 0 });
        await ask(openai, 'fast-1', 'who serves now');
        assert.equal((await receivedSince(second, 0)).at(-1)?.username, 'demo-3', 'the re-added account');
        for (const id of views.keys()) assert.equal((await admin(second, 'DELETE', `/${id}`)).status, 200);
      } finally {
        await second.close();
      }

      const third = await restart();
      try {
        assert.equal((await accounts(third)).size, 0);
        const openai = new OpenAI({ baseURL: third.openaiBaseUrl, apiKey: third.key, maxRetries: 0 });
        const none = await ask(openai, 'fast-1', 'nobody').then(
          () => assert.fail('expected a 503'),
          (caught: unknown) => caught,
        );
        assert.ok(none instanceof OpenAI.APIError && none.status === 503, String(none));
        const added = await admin(third, 'POST', '', { site: 'demo', id: 'fresh' });
        assert.equal(added.status, 201, JSON.stringify(added.body));
        const reply = await ask(openai, 'fast-1', 'served again');
        assert.match(reply.choices[0]?.message.content ?? '', /turn=1/);
      } finally {
        await third.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('account pool usage', () => {
  test('the usage ledger names the site account that served each request; the caller is not told', async () => {
    const stack = await poolStack(
      SITE_TRANSPORTS.find((t) => t.key === 'http') ?? (SITE_TRANSPORTS[0] as SiteTransport),
    );
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${stack.url}/admin/api${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return (await response.json()) as Record<string, unknown>;
      };
      const user = await call('POST', '/users', { name: 'pool-user' });
      const key = (await call('POST', `/users/${String(user.id)}/keys`, { name: 'k' })).key as string;
      const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: key, maxRetries: 0 });
      for (let i = 0; i < 6; i++) {
        const raw = await ask(openai, 'fast-1', `metered ${i}`).withResponse();
        const told = JSON.stringify([...raw.response.headers.entries()]) + JSON.stringify(raw.data);
        assert.doesNotMatch(told, /"(one|two|three)"|demo-2|demo-3/, 'no account named to the caller');
      }
      const report = await eventually(async () => {
        const answer = (await call('GET', '/usage?group_by=account')) as {
          rows: Array<{ site_id: string | null; account_id: string | null; requests: number }>;
        };
        const total = answer.rows.reduce((sum, row) => sum + row.requests, 0);
        return total >= 6 ? answer : undefined;
      });
      assert.deepEqual(
        report.rows.map((row) => [row.site_id, row.account_id, row.requests]),
        [
          ['demo', 'one', 2],
          ['demo', 'three', 2],
          ['demo', 'two', 2],
        ],
      );
    } finally {
      await stack.close();
    }
  });
});

describe('account pool pace', () => {
  test("an account's own rpm and spacing hold it back while the others serve; all at their pace is a 429", async () => {
    const http = SITE_TRANSPORTS.find((t) => t.key === 'http') ?? (SITE_TRANSPORTS[0] as SiteTransport);
    const stack = await poolStack(http, {}, [
      { id: 'one', minSpacingMs: 60_000 },
      { id: 'two', rpm: 2, credentials: { username: 'demo-2', password: 'demo-2-password' } },
    ]);
    try {
      const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      for (let i = 0; i < 3; i++) await ask(openai, 'fast-1', `paced ${i}`);
      const users = (await receivedSince(stack, 0)).map((m) => m.username).sort();
      assert.deepEqual(users, ['demo', 'demo-2', 'demo-2'], 'one start on one, two on two');
      const error = await ask(openai, 'fast-1', 'over every pace').then(
        () => assert.fail('expected a 429'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof OpenAI.RateLimitError, String(error));
      const retryAfter = Number(error.headers?.get('retry-after'));
      assert.ok(retryAfter > 40 && retryAfter <= 60, `retry-after ${retryAfter}`);
      assert.match(error.message, /pace limit/);
      const view = (await accounts(stack)).get('two');
      assert.equal((view as unknown as { rpm: number }).rpm, 2);
      const patched = await admin(stack, 'PATCH', '/two', { rpm: null });
      assert.equal(patched.body.rpm, null);
      await ask(openai, 'fast-1', 'two has no pace now');
    } finally {
      await stack.close();
    }
  });
});

describe('account pool removal', () => {
  test('a turn running on an account being removed finishes; the removal answers after it', async () => {
    const http = SITE_TRANSPORTS.find((t) => t.key === 'http') ?? (SITE_TRANSPORTS[0] as SiteTransport);
    const stack = await poolStack(http, {}, ACCOUNTS.slice(0, 1));
    try {
      const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      const stream = await openai.chat.completions.create({
        model: 'demo/slow-1',
        messages: [{ role: 'user', content: 'a long answer while my account goes away' }],
        stream: true,
      });
      const iterator = stream[Symbol.asyncIterator]();
      let text = (await iterator.next()).value?.choices[0]?.delta.content ?? '';
      let streamEndedAt = 0;
      const rest = (async () => {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          text += next.value.choices[0]?.delta.content ?? '';
        }
        streamEndedAt = Date.now();
      })();
      assert.equal((await admin(stack, 'GET', '/one')).body.in_flight, 1, 'the turn runs on it');
      const removed = await admin(stack, 'DELETE', '/one');
      const removedAt = Date.now();
      await rest;
      assert.equal(removed.status, 200);
      assert.ok(
        streamEndedAt > 0 && streamEndedAt <= removedAt,
        'the stream ended before the removal answered',
      );
      assert.match(text, /\[slow-1\] turn=1/);
      const none = await ask(openai, 'fast-1', 'and now?').then(
        () => assert.fail('expected a 503'),
        (caught: unknown) => caught,
      );
      assert.ok(none instanceof OpenAI.APIError && none.status === 503, String(none));
    } finally {
      await stack.close();
    }
  });
});
