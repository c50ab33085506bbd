/**
 * Requests in flight through the admin API: a slow streamed request shows in
 * `GET /admin/api/requests/live` with its user, key, model, served-by site and output so far;
 * `POST …/cancel` stops the site generation and ends the client's stream with the dialect's error
 * event (OpenAI SDK and Anthropic SDK); finished, refused and cancelled requests leave the list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { LiveRequestView } from '../../src/server/operations/live-requests.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';

const ADMIN_TOKEN = 'admin-token-for-live-tests-0123456789';

for (const transport of SITE_TRANSPORTS) {
  describe(`live requests (admin API) — ${transport.name}`, () => {
    let stack: Stack;
    const admin = (method: string, path: string, token: string | null = ADMIN_TOKEN) =>
      fetch(`${stack.url}/admin/api${path}`, {
        method,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      });
    const live = async () =>
      ((await (await admin('GET', '/requests/live')).json()) as { object: string; data: LiveRequestView[] })
        .data;

    before(async () => {
      stack = await startStack({
        demo: { slowWordDelayMs: 80 },
        site: transport.site,
        config: { adminToken: ADMIN_TOKEN },
      });
    });
    after(() => stack.close());

    test('empty when idle; the admin token only', async () => {
      const answer = await admin('GET', '/requests/live');
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { object: 'list', data: [] });
      assert.equal((await admin('GET', '/requests/live', null)).status, 401);
      assert.equal((await admin('GET', '/requests/live', stack.key)).status, 401);
      assert.equal((await admin('POST', '/requests/req_nothing123/cancel', stack.key)).status, 401);
    });

    test('a streamed request is listed while it runs, then cancelled: the OpenAI stream ends with an error', async () => {
      const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'demo/slow-1',
        stream: true,
        messages: [{ role: 'user', content: 'tell me something long' }],
      });
      let text = '';
      const reading = (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })();
      // Settled while the test still awaits other things: handled now, asserted below.
      reading.catch(() => undefined);
      const running = await eventually(async () => (await live()).find((view) => view.output_chars > 0));
      assert.equal(running.user_id, 'alice');
      assert.equal(typeof running.key_id, 'string');
      assert.equal(running.model, 'demo/slow-1');
      assert.equal(running.dialect, 'openai');
      assert.equal(running.stream, true);
      assert.equal(running.site_id, 'demo');
      assert.equal(running.account_id, null);
      assert.ok(Number.isFinite(Date.parse(running.started_at)));
      assert.ok(running.elapsed_ms >= 0);
      assert.match(running.request_id, /^req_/);

      // Over the API the site sees the request go away; driving its UI, the stop button.
      const stopped = async () => {
        const stats = await stack.demoStats();
        return (stats.clientAborts ?? 0) + (stats.stops ?? 0);
      };
      const stoppedBefore = await stopped();
      const cancelled = await admin('POST', `/requests/${running.request_id}/cancel`);
      assert.equal(cancelled.status, 200);
      assert.deepEqual(await cancelled.json(), {
        request_id: running.request_id,
        object: 'live_request',
        cancelled: true,
      });
      await assert.rejects(reading, (error: Error) => /cancelled by the gateway admin/.test(error.message));
      assert.ok(text.length > 0, 'some text arrived before the cancel');
      // The site saw its generation stopped, and the request left the list.
      await eventually(async () => (await stopped()) > stoppedBefore || undefined);
      await eventually(async () => (await live()).length === 0 || undefined);

      const again = await admin('POST', `/requests/${running.request_id}/cancel`);
      assert.equal(again.status, 404);
      const body = (await again.json()) as { error: { type: string; message: string; param: string } };
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.param, 'id');
      assert.match(body.error.message, /No request in flight/);
    });

    test('an Anthropic stream cancelled mid-way gets an `error` event', async () => {
      const client = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
      const stream = client.messages.stream({
        model: 'demo/slow-1',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'tell me something long' }],
      });
      const final = stream.finalMessage();
      final.catch(() => undefined);
      const running = await eventually(async () => (await live()).find((view) => view.output_chars > 0));
      assert.equal(running.dialect, 'anthropic');
      assert.equal((await admin('POST', `/requests/${running.request_id}/cancel`)).status, 200);
      await assert.rejects(final, /cancelled by the gateway admin/);
      await eventually(async () => (await live()).length === 0 || undefined);
    });

    test('a non-streamed request is listed and cancellable too; finished requests leave the list', async () => {
      const client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      const pending = client.chat.completions.create({
        model: 'demo/slow-1',
        messages: [{ role: 'user', content: 'tell me something long' }],
      });
      pending.catch(() => undefined);
      const running = await eventually(async () => (await live()).find((view) => !view.stream));
      assert.equal((await admin('POST', `/requests/${running.request_id}/cancel`)).status, 200);
      await assert.rejects(pending, (error: Error) => /cancelled by the gateway admin/.test(error.message));

      await client.chat.completions.create({
        model: 'demo/fast-1',
        messages: [{ role: 'user', content: 'hi' }],
      });
      await assert.rejects(
        client.chat.completions.create({
          model: 'demo/no-such-model',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      );
      assert.deepEqual(await live(), []);
    });
  });
}
