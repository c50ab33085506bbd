/**
 * `GET /metrics`: the admin token or the metrics token opens it (the metrics token opens nothing
 * else); the text parses strictly as the Prometheus exposition format (prom-client ships no
 * parser, so `test/support/prometheus-text.ts` is the strict one); traffic through the OpenAI SDK
 * moves the request, token and TTFT series; pooled accounts show their state and cooldowns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type MetricFamily, parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';

const ADMIN_TOKEN = 'admin-token-for-metrics-0123456789';
const METRICS_TOKEN = 'metrics-token-for-scrapers-0123456789';
const CHAT = '/v1/chat/completions';

describe('/metrics', () => {
  let stack: Stack;
  let openai: OpenAI;
  const get = (path: string, token?: string) =>
    fetch(`${stack.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const scrape = async (): Promise<Map<string, MetricFamily>> => {
    const answer = await get('/metrics', METRICS_TOKEN);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await answer.text());
  };

  before(async () => {
    stack = await startStack({
      site: {
        accounts: [
          { id: 'one' },
          { id: 'two', credentials: { username: 'demo-2', password: 'demo-2-password' } },
        ],
        pool: { maxWaitMs: 0 },
      },
      config: { adminToken: ADMIN_TOKEN, metricsToken: METRICS_TOKEN },
    });
    openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
  });
  after(() => stack.close());

  test('401 without a token or with an API key; 200 with the admin token and with the metrics token', async () => {
    for (const token of [undefined, stack.key, 'wrong-token-0123456789abcdef']) {
      const answer = await get('/metrics', token);
      assert.equal(answer.status, 401, String(token));
      const body = (await answer.json()) as { error: { type: string } };
      assert.equal(body.error.type, 'authentication_error');
    }
    assert.equal((await get('/metrics', ADMIN_TOKEN)).status, 200);
    assert.equal((await get('/metrics', METRICS_TOKEN)).status, 200);
  });

  test('the metrics token opens nothing else: not the admin API, not the chat API', async () => {
    for (const path of [
      '/admin/api/users',
      '/admin/api/requests/live',
      '/admin/api/accounts',
      '/v1/models',
    ]) {
      assert.equal((await get(path, METRICS_TOKEN)).status, 401, path);
    }
  });

  test('traffic through the OpenAI SDK moves the request, token and TTFT series', async () => {
    const was = await scrape();
    const requests = () => ({ route: CHAT, model: 'demo/fast-1', status: '200' });
    const count = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string>) =>
      sampleValue(families, `webchat_gateway_${name}`, labels);

    await openai.chat.completions.create({
      model: 'demo/fast-1',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const stream = await openai.chat.completions.create({
      model: 'demo/fast-1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi again' }],
    });
    for await (const _chunk of stream);
    await assert.rejects(
      openai.chat.completions.create({ model: 'demo/nope', messages: [{ role: 'user', content: 'hi' }] }),
    );

    const now = await scrape();
    assert.equal(count(now, 'requests_total', requests()) - count(was, 'requests_total', requests()), 2);
    assert.equal(
      count(now, 'requests_total', { route: CHAT, model: 'none', status: '404' }) -
        count(was, 'requests_total', { route: CHAT, model: 'none', status: '404' }),
      1,
      'an unknown model is counted without its name as a label',
    );
    const model = { model: 'demo/fast-1' };
    assert.ok(count(now, 'prompt_tokens_total', model) > count(was, 'prompt_tokens_total', model));
    assert.ok(count(now, 'completion_tokens_total', model) > count(was, 'completion_tokens_total', model));
    const ttft = { route: CHAT, model: 'demo/fast-1' };
    assert.equal(
      count(now, 'time_to_first_token_seconds_count', ttft) -
        count(was, 'time_to_first_token_seconds_count', ttft),
      2,
    );
    assert.equal(
      count(now, 'request_duration_seconds_count', ttft) - count(was, 'request_duration_seconds_count', ttft),
      2,
    );
    assert.equal(now.get('webchat_gateway_requests_total')?.type, 'counter');
    assert.equal(now.get('webchat_gateway_time_to_first_token_seconds')?.type, 'histogram');
    assert.equal(count(now, 'live_requests', {}), 0);
    assert.ok(count(now, 'admitted_total', {}) >= 2);
    assert.ok(now.has('webchat_gateway_queue_depth'));
    assert.ok(now.has('webchat_gateway_queue_wait_seconds'));
    assert.ok(now.has('webchat_gateway_relogins_total'));
    // prom-client's default set on the gateway's own registry: event-loop lag among them.
    assert.ok(now.has('webchat_gateway_nodejs_eventloop_lag_seconds'));
    assert.ok(now.has('webchat_gateway_process_resident_memory_bytes'));
  });

  test('a failure after the 200 counts as a stream error; a client that leaves counts as aborted', async () => {
    const chat = { route: CHAT, model: 'demo/slow-1' };
    const was = await scrape();
    await stack.setFaults({ midStreamDisconnect: 1 });
    try {
      const stream = await openai.chat.completions.create({
        model: 'demo/slow-1',
        stream: true,
        messages: [{ role: 'user', content: 'broken' }],
      });
      await assert.rejects(async () => {
        for await (const _chunk of stream);
      });
    } finally {
      await stack.setFaults({});
    }
    const leaving = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: 'demo/slow-1', stream: true, messages: [{ role: 'user', content: 'leave' }] },
      { signal: leaving.signal },
    );
    // The SDK ends the iteration quietly when its own signal aborts it.
    for await (const _chunk of stream) leaving.abort();
    const delta = async (name: string, labels: Record<string, string>) => {
      const now = await scrape();
      return (
        sampleValue(now, `webchat_gateway_${name}`, labels) -
        sampleValue(was, `webchat_gateway_${name}`, labels)
      );
    };
    assert.equal(await delta('stream_errors_total', chat), 1);
    assert.equal(await delta('requests_total', { ...chat, status: '200' }), 1);
    await eventually(
      async () => (await delta('requests_total', { ...chat, status: 'aborted' })) === 1 || undefined,
    );
  });

  test('pooled accounts: one state series set to 1 per account, and a cooldown per (account, model)', async () => {
    const faults = await fetch(`${stack.demo.url}/__control/accounts/demo/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimited: { models: ['text-1'], retryAfterSeconds: 30 } }),
    });
    assert.ok(faults.ok);
    try {
      // Round-robin: one of these meets account one's limit and cools (one, text-1).
      for (let i = 0; i < 2; i++) {
        await openai.chat.completions.create({
          model: 'demo/text-1',
          messages: [{ role: 'user', content: `t${i}` }],
        });
      }
      const families = await scrape();
      for (const account of ['one', 'two']) {
        const states = families
          .get('webchat_gateway_account_state')
          ?.samples.filter((sample) => sample.labels.account === account);
        assert.equal(states?.length, 6, account);
        assert.deepEqual(
          states?.filter((sample) => sample.value === 1).map((sample) => sample.labels.state),
          ['ok'],
          account,
        );
      }
      const cooldown = sampleValue(families, 'webchat_gateway_account_cooldown_seconds', {
        site: 'demo',
        account: 'one',
        model: 'text-1',
      });
      assert.ok(cooldown > 20 && cooldown <= 30, String(cooldown));
      assert.equal(
        sampleValue(families, 'webchat_gateway_account_cooldown_seconds', { account: 'two' }),
        0,
        'account two is not cooling',
      );
      assert.ok(families.has('webchat_gateway_account_in_flight'));
    } finally {
      await stack.setFaults({});
    }
  });
});

const IN_PAGE = SITE_TRANSPORTS.find((transport) => transport.key === 'in-page-fetch');

describe('/metrics with the site in Chromium', {
  skip: IN_PAGE ? false : 'in-page-fetch not selected',
}, () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ site: { ...IN_PAGE?.site }, config: { adminToken: ADMIN_TOKEN } });
  });
  after(() => stack.close());

  test('browser launches, pages and contexts are read from the running browser', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    await openai.chat.completions.create({
      model: 'demo/fast-1',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const answer = await fetch(`${stack.url}/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const families = parsePrometheusText(await answer.text());
    assert.ok(sampleValue(families, 'webchat_gateway_browser_launches_total') >= 1);
    assert.ok(sampleValue(families, 'webchat_gateway_browser_pages') >= 1);
    assert.equal(sampleValue(families, 'webchat_gateway_browser_contexts'), 1);
  });
});
