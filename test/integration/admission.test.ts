import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { eventually, SECOND_KEY, type Stack, startStack, TEST_KEY } from '../support/start-stack.ts';

const received = async (stack: Stack): Promise<string[]> => {
  const response = await fetch(`${stack.demo.url}/__control/received`);
  const body = (await response.json()) as { messages: { text: string }[] };
  return body.messages.map((m) => m.text);
};

const chat = (stack: Stack, key: string, text: string, init: RequestInit = {}, model = 'demo/text-1') =>
  fetch(`${stack.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: text }] }),
    ...init,
  });

const messages = (stack: Stack, key: string, maxTokens: number, text: string) =>
  fetch(`${stack.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'demo/text-1',
      max_tokens: maxTokens,
      messages: [{ role: 'user', content: text }],
    }),
  });

describe('admission: fair queue on a one-slot account', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      demo: { slowWordDelayMs: 15 },
      config: { admission: { accounts: { sites: { demo: { maxConcurrent: 1 } } } } },
    });
  });
  after(() => stack.close());

  test('B’s single request starts within the next slot after A’s 20', async () => {
    const queued = () => stack.gateway.admission?.snapshot().accounts['demo:default']?.queued ?? 0;
    // slow-1 (15 ms a word): each of A's turns holds the slot long enough for B to be seen queued
    // (text-1's ~50 ms turns left a window the 25 ms poll could miss on a loaded machine).
    const a = Array.from({ length: 20 }, (_, i) => chat(stack, TEST_KEY, `fair-A-${i}`, {}, 'demo/slow-1'));
    await eventually(async () => queued() >= 19 || undefined);
    const b = chat(stack, SECOND_KEY, 'fair-B-0');
    const account = () => stack.gateway.admission?.snapshot().accounts['demo:default'];
    // Grants so far (A's) at the moment B is in the queue: B must be the very next grant.
    const grantedBefore = await eventually(async () =>
      account()?.queuedByUser.bob === 1 ? account()?.granted : undefined,
    );
    const responses = await Promise.all([...a, b]);
    for (const response of responses) assert.equal(response.status, 200);
    const order = (await received(stack)).filter((t) => t.startsWith('fair-'));
    assert.equal(order.length, 21);
    const position = order.indexOf('fair-B-0');
    assert.ok(
      position >= 1 && position <= grantedBefore,
      `B started at position ${position}: ${order.join(',')}`,
    );
    assert.equal(stack.gateway.admission?.snapshot().accounts['demo:default']?.granted, 21);
    const stats = (await stack.demoStats()) as unknown as { peakActiveByAccount: Record<string, number> };
    assert.equal(stats.peakActiveByAccount.demo, 1, 'one account slot: never two generations at the site');
  });

  test('a client that disconnects while queued never reaches the site', async () => {
    // A long reply (about 3 s at 15 ms a word) holds the one slot while the second request queues.
    const holder = chat(stack, TEST_KEY, 'abort-holder: repeat hold 200 times');
    await eventually(async () => (await stack.demoStats()).activeGenerations === 1 || undefined);
    const gone = new AbortController();
    const queuedCall = chat(stack, SECOND_KEY, 'abort-queued', { signal: gone.signal }).catch((e) => e);
    await eventually(
      async () =>
        (stack.gateway.admission?.snapshot().accounts['demo:default']?.queued ?? 0) === 1 || undefined,
    );
    gone.abort();
    await queuedCall;
    await eventually(
      async () =>
        (stack.gateway.admission?.snapshot().accounts['demo:default']?.queued ?? 1) === 0 || undefined,
    );
    assert.equal((await holder).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!(await received(stack)).includes('abort-queued'));
    assert.equal(stack.gateway.admission?.snapshot().rejections.aborted, 1);
  });
});

describe('admission: RPM / TPM limits and their headers', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      config: {
        admission: {
          users: { alice: { rpm: 2 } },
          keys: { second: { tpm: 2000 } },
          reserveOutputTokens: 1500,
        },
      },
    });
  });
  after(() => stack.close());

  test('per-user RPM: headers count down, third request is a 429 with retry-after (OpenAI)', async () => {
    const first = await chat(stack, TEST_KEY, 'rpm 1');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '1');
    assert.match(first.headers.get('x-ratelimit-reset-requests') ?? '', /^(\d+s|1m0s)$/);
    const second = await chat(stack, TEST_KEY, 'rpm 2');
    assert.equal(second.headers.get('x-ratelimit-remaining-requests'), '0');
    const third = await chat(stack, TEST_KEY, 'rpm 3');
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('x-ratelimit-remaining-requests'), '0');
    const retryAfter = Number(third.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
    const body = (await third.json()) as { error: { type: string; code: string; message: string } };
    assert.equal(body.error.type, 'rate_limit_error');
    assert.match(body.error.message, /requests per minute for your user/);
  });

  test('per-key TPM in the Anthropic dialect: reservation counted, 429 rate_limit_error', async () => {
    const send = () => messages(stack, SECOND_KEY, 1200, 'tpm');
    const ok = await send();
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('anthropic-ratelimit-tokens-limit'), '2000');
    const remaining = Number(ok.headers.get('anthropic-ratelimit-tokens-remaining'));
    assert.ok(remaining < 800 && remaining > 700, `remaining ${remaining}`);
    assert.match(
      ok.headers.get('anthropic-ratelimit-tokens-reset') ?? '',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    // Settlement gave back the unused reservation: the reply used far fewer than 1200 tokens.
    const refused = await send();
    assert.equal(refused.status, 200, 'the corrected count leaves room for a second request');
    await send();
    const over = await send();
    if (over.status === 200) return; // the demo replies are short; settlement keeps the key under its TPM
    assert.equal(over.status, 429);
    const body = (await over.json()) as { type: string; error: { type: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'rate_limit_error');
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
  });
});

describe('admission: queue deadline, SDK retry', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      demo: { slowWordDelayMs: 150 },
      config: {
        admission: { queue: { maxWaitMs: 300 }, accounts: { sites: { demo: { maxConcurrent: 1 } } } },
      },
    });
  });
  after(() => stack.close());

  test('over the wait deadline: OpenAI 429, Anthropic 529 overloaded_error, both with retry-after', async () => {
    const holder = chat(stack, TEST_KEY, 'deadline holder', {}, 'demo/slow-1');
    await eventually(async () => (await stack.demoStats()).activeGenerations === 1 || undefined);
    const [openai, anthropic] = await Promise.all([
      chat(stack, SECOND_KEY, 'waits too long'),
      messages(stack, SECOND_KEY, 50, 'late'),
    ]);
    assert.equal(openai.status, 429);
    assert.equal(openai.headers.get('retry-after'), '1');
    assert.equal(anthropic.status, 529);
    assert.equal(((await anthropic.json()) as { error: { type: string } }).error.type, 'overloaded_error');
    assert.equal(anthropic.headers.get('retry-after'), '1');
    assert.equal((await holder).status, 200);
  });

  test('the openai SDK retries after retry-after and succeeds', async () => {
    const holder = chat(stack, TEST_KEY, 'retry holder', {}, 'demo/slow-1');
    await eventually(async () => (await stack.demoStats()).activeGenerations === 1 || undefined);
    const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: SECOND_KEY, maxRetries: 10 });
    const before = stack.gateway.admission?.snapshot().rejections.queue_timeout ?? 0;
    const completion = await client.chat.completions.create({
      model: 'demo/text-1',
      messages: [{ role: 'user', content: 'retried' }],
    });
    assert.match(completion.choices[0]?.message.content ?? '', /retried/);
    assert.ok(
      (stack.gateway.admission?.snapshot().rejections.queue_timeout ?? 0) > before,
      'it was refused first',
    );
    await holder;
  });
});

describe('admission: per-account pace (turns per minute)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      config: { admission: { queue: { maxWaitMs: 400 }, accounts: { sites: { demo: { rpm: 2 } } } } },
    });
  });
  after(() => stack.close());

  test('turns over the account’s pace wait in the queue and never reach the site; past the deadline a 429', async () => {
    const responses = await Promise.all(
      ['paced one', 'paced two', 'paced three'].map((text, i) =>
        chat(stack, i === 2 ? SECOND_KEY : TEST_KEY, text),
      ),
    );
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 200, 429]);
    const refused = responses.find((r) => r.status === 429);
    assert.ok(Number(refused?.headers.get('retry-after')) >= 1);
    const sent = (await received(stack)).filter((text) => text.startsWith('paced'));
    assert.equal(sent.length, 2, 'the site saw two turns');
    const account = stack.gateway.admission?.snapshot().accounts['demo:default'];
    assert.equal(account?.rpm, 2);
    assert.equal(stack.gateway.admission?.snapshot().rejections.queue_timeout, 1);
  });
});
