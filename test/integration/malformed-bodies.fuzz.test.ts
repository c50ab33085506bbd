import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type InProcessGateway, startInProcessGateway, USER_KEY } from '../support/in-process-gateway.ts';

const ENDPOINTS = [
  { url: '/v1/chat/completions', dialect: 'openai' },
  { url: '/v1/responses', dialect: 'openai' },
  { url: '/v1/messages', dialect: 'anthropic' },
  { url: '/v1/messages/count_tokens', dialect: 'anthropic' },
] as const;

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

/** Bodies that are wrong in many ways: any JSON, broken text, near-miss chat bodies, deep values. */
const malformedBody = fc.oneof(
  fc.json(),
  fc.string(),
  fc.jsonValue().map((value) => JSON.stringify({ model: 'demo/text-1', messages: value, input: value })),
  fc
    .record({
      model: fc.oneof(fc.constant('demo/text-1'), fc.jsonValue()),
      messages: fc.array(fc.record({ role: fc.jsonValue(), content: fc.jsonValue() }), { maxLength: 3 }),
      tools: fc.jsonValue(),
      metadata: fc.jsonValue(),
      max_tokens: fc.jsonValue(),
    })
    .map((body) => JSON.stringify({ ...body, stream: false })),
  fc.integer({ min: 65, max: 2000 }).map((depth) => `{"metadata":${'['.repeat(depth)}${']'.repeat(depth)}}`),
);

describe('fuzz: malformed bodies get a 4xx in the dialect, never a 500', { timeout: 300_000 }, () => {
  let gateway: InProcessGateway;
  before(async () => {
    gateway = await startInProcessGateway();
  });
  after(async () => gateway.close());

  for (const endpoint of ENDPOINTS) {
    test(`${endpoint.url} (${RUNS} cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(malformedBody, async (payload) => {
          const answer = await gateway.app.inject({
            method: 'POST',
            url: endpoint.url,
            headers: { authorization: `Bearer ${USER_KEY}`, 'content-type': 'application/json' },
            payload,
          });
          // A fuzzed body that happens to be a valid request may be answered; never with a 5xx.
          if (answer.statusCode === 200) return;
          assert.ok(
            answer.statusCode >= 400 && answer.statusCode < 500,
            `${answer.statusCode} ${answer.body}`,
          );
          const body = answer.json();
          if (endpoint.dialect === 'anthropic') assert.equal(body.type, 'error');
          assert.equal(typeof body.error.message, 'string');
          assert.equal(typeof body.error.type, 'string');
        }),
        { numRuns: RUNS },
      );
      assert.equal((await gateway.app.inject({ url: '/healthz' })).statusCode, 200);
    });
  }
});
