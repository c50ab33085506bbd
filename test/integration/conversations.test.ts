import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type Stack, SECOND_KEY, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

const FIRST_LINE = /^\[(?<model>[\w-]+)\] turn=(?<turn>\d+) /;

interface Received {
  threadId: string;
  turn: number;
  text: string;
  systemPrompt: string | null;
}

async function received(stack: Stack, limit = 1000): Promise<Received[]> {
  const response = await fetch(`${stack.demo.url}/__control/received?limit=${limit}`);
  return ((await response.json()) as { messages: Received[] }).messages;
}

function turnOf(text: string): number {
  return Number(FIRST_LINE.exec(text)?.groups?.turn ?? Number.NaN);
}

for (const transport of SITE_TRANSPORTS) {
  describe(`multi-turn conversations map onto site threads — ${transport.name}`, () => {
    let stack: Stack;
    let openai: OpenAI;
    before(async () => {
      stack = await startStack({ site: transport.site });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    test('a 20-turn chat sends only the new turn each time, into one thread', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You are a test.' },
      ];
      const before = (await received(stack)).length;
      for (let turn = 1; turn <= 20; turn++) {
        messages.push({ role: 'user', content: `message number ${turn}` });
        const completion = await openai.chat.completions.create({ model: 'demo/text-1', messages });
        const answer = completion.choices[0]?.message.content ?? '';
        assert.equal(turnOf(answer), turn, `turn ${turn}: ${answer.split('\n')[0]}`);
        messages.push({ role: 'assistant', content: answer });
      }
      const sent = (await received(stack)).slice(before);
      assert.equal(sent.length, 20);
      assert.equal(new Set(sent.map((m) => m.threadId)).size, 1, 'all turns went to one site thread');
      assert.deepEqual(
        sent.map((m) => m.text),
        Array.from({ length: 20 }, (_, i) => `message number ${i + 1}`),
        'each turn carried only the new user text',
      );
      assert.equal(sent[0]?.systemPrompt, 'You are a test.');
    });

    test('a 20-turn Anthropic Messages conversation continues one thread', async () => {
      const anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
      const messages: Anthropic.MessageParam[] = [];
      const before = (await received(stack)).length;
      for (let turn = 1; turn <= 20; turn++) {
        messages.push({ role: 'user', content: `anthropic turn ${turn}` });
        const reply = await anthropic.messages.create({ model: 'demo/text-1', max_tokens: 300, messages });
        const text = reply.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
        assert.equal(turnOf(text), turn, text.split('\n')[0]);
        messages.push({ role: 'assistant', content: reply.content });
      }
      const sent = (await received(stack)).slice(before);
      assert.equal(new Set(sent.map((m) => m.threadId)).size, 1);
      assert.deepEqual(
        sent.map((m) => m.text),
        Array.from({ length: 20 }, (_, i) => `anthropic turn ${i + 1}`),
      );
    });

    test('a 20-turn Responses conversation (resending its input items) continues one thread', async () => {
      const input: OpenAI.Responses.ResponseInput = [];
      const before = (await received(stack)).length;
      for (let turn = 1; turn <= 20; turn++) {
        input.push({ role: 'user', content: `responses turn ${turn}` });
        const response = await openai.responses.create({ model: 'demo/text-1', input, store: false });
        assert.equal(turnOf(response.output_text), turn, response.output_text.split('\n')[0]);
        input.push({ role: 'assistant', content: response.output_text });
      }
      const sent = (await received(stack)).slice(before);
      assert.equal(new Set(sent.map((m) => m.threadId)).size, 1);
      assert.equal(sent.at(-1)?.text, 'responses turn 20');
    });

    test('an edited middle turn, a regenerate and a changed system prompt each start a new thread', async () => {
      const base: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'first question' },
      ];
      const first = await openai.chat.completions.create({ model: 'demo/text-1', messages: base });
      const a1 = first.choices[0]?.message.content ?? '';
      const history = [...base, { role: 'assistant' as const, content: a1 }];
      const second = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [...history, { role: 'user', content: 'second question' }],
      });
      assert.equal(turnOf(second.choices[0]?.message.content ?? ''), 2);

      // Regenerate: the same request again cannot continue (its thread moved on) → new thread.
      const regenerated = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [...history, { role: 'user', content: 'second question' }],
      });
      const regeneratedText = regenerated.choices[0]?.message.content ?? '';
      assert.equal(turnOf(regeneratedText), 1);
      const last = (await received(stack, 1))[0];
      assert.match(
        last?.text ?? '',
        /first question[\s\S]*second question/,
        'the new thread carries the history',
      );

      // Edited middle turn.
      const edited = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [
          { role: 'user', content: 'first question (edited)' },
          { role: 'assistant', content: a1 },
          { role: 'user', content: 'third' },
        ],
      });
      assert.equal(turnOf(edited.choices[0]?.message.content ?? ''), 1);

      // Changed system prompt.
      const changed = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'system', content: 'new rules' }, ...history, { role: 'user', content: 'again' }],
      });
      assert.equal(turnOf(changed.choices[0]?.message.content ?? ''), 1);
    });

    test('a thread deleted on the site falls back to a new thread', async () => {
      const base: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'to be deleted' },
      ];
      const first = await openai.chat.completions.create({ model: 'demo/text-1', messages: base });
      const threadId = (await received(stack, 1))[0]?.threadId;
      assert.ok(threadId);
      // Delete the thread on the site behind the gateway's back, as a person would in the web UI.
      const login = await fetch(`${stack.demo.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'demo', password: 'demo-password' }),
      });
      const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      const page = await (await fetch(`${stack.demo.url}/`, { headers: { cookie } })).text();
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
      const deleted = await fetch(`${stack.demo.url}/api/threads/${threadId}`, {
        method: 'DELETE',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      assert.equal(deleted.status, 204);
      const next = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [
          ...base,
          { role: 'assistant', content: first.choices[0]?.message.content ?? '' },
          { role: 'user', content: 'still there?' },
        ],
      });
      const text = next.choices[0]?.message.content ?? '';
      assert.equal(turnOf(text), 1, text);
      assert.notEqual((await received(stack, 1))[0]?.threadId, threadId);
    });

    test('two keys with identical histories never share a thread', async () => {
      const other = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: SECOND_KEY, maxRetries: 0 });
      const opening: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'shared opening' },
      ];
      const a = await openai.chat.completions.create({ model: 'demo/text-1', messages: opening });
      const b = await other.chat.completions.create({ model: 'demo/text-1', messages: opening });
      const answerA = a.choices[0]?.message.content ?? '';
      assert.equal(answerA, b.choices[0]?.message.content, 'same deterministic answer');
      const follow = [
        ...opening,
        { role: 'assistant' as const, content: answerA },
        { role: 'user' as const, content: 'next' },
      ];
      const a2 = await openai.chat.completions.create({ model: 'demo/text-1', messages: follow });
      const b2 = await other.chat.completions.create({ model: 'demo/text-1', messages: follow });
      assert.equal(turnOf(a2.choices[0]?.message.content ?? ''), 2);
      assert.equal(turnOf(b2.choices[0]?.message.content ?? ''), 2);
      const last = await received(stack, 2);
      assert.notEqual(last[0]?.threadId, last[1]?.threadId);
    });

    test('an aborted stream followed by a retry works, and the retry does not continue the half answer', async () => {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'start' },
      ];
      const first = await openai.chat.completions.create({ model: 'demo/text-1', messages });
      messages.push({ role: 'assistant', content: first.choices[0]?.message.content ?? '' });
      messages.push({ role: 'user', content: 'tell me a long story' });
      const controller = new AbortController();
      const stream = await openai.chat.completions.create(
        { model: 'demo/slow-1', messages, stream: true },
        { signal: controller.signal },
      );
      let chunks = 0;
      for await (const _ of stream) if (++chunks === 2) controller.abort();
      const retry = await openai.chat.completions.create({ model: 'demo/slow-1', messages });
      assert.match(retry.choices[0]?.message.content ?? '', /^\[slow-1\] turn=\d+/);
    });

    test('Anthropic SDK multi-turn (append the assistant message, send again) continues the thread', async () => {
      const anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'hello there' }];
      const first = await anthropic.messages.create({ model: 'demo/text-1', max_tokens: 200, messages });
      messages.push({ role: 'assistant', content: first.content });
      messages.push({ role: 'user', content: 'and again' });
      const second = await anthropic.messages.create({ model: 'demo/text-1', max_tokens: 200, messages });
      const text = second.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      assert.equal(turnOf(text), 2, text);
    });

    test('x-conversation-id pins requests to a named thread, scoped to the key', async () => {
      const headers = { 'x-conversation-id': 'my-notes' };
      const one = await openai.chat.completions.create(
        { model: 'demo/text-1', messages: [{ role: 'user', content: 'remember BANANA' }] },
        { headers },
      );
      assert.equal(turnOf(one.choices[0]?.message.content ?? ''), 1);
      const two = await openai.chat.completions.create(
        { model: 'demo/text-1', messages: [{ role: 'user', content: 'what did I ask you to remember' }] },
        { headers },
      );
      const text = two.choices[0]?.message.content ?? '';
      assert.equal(turnOf(text), 2, text);
      assert.match(text, /BANANA/);
      const other = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: SECOND_KEY, maxRetries: 0 });
      const foreign = await other.chat.completions.create(
        { model: 'demo/text-1', messages: [{ role: 'user', content: 'what did I ask you to remember' }] },
        { headers },
      );
      assert.equal(turnOf(foreign.choices[0]?.message.content ?? ''), 1, 'another key gets its own thread');
    });
  });
}

describe('thread mappings survive a gateway restart', () => {
  test('continuation works across a restart on the same data directory', async () => {
    const first = await startStack();
    const dataDir = first.dataDir;
    const client = new OpenAI({ baseURL: first.openaiBaseUrl, apiKey: first.key, maxRetries: 0 });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'before restart' },
    ];
    const a = await client.chat.completions.create({ model: 'demo/text-1', messages });
    messages.push({ role: 'assistant', content: a.choices[0]?.message.content ?? '' });
    await first.gateway.close();
    const { startGateway } = await import('../../src/gateway.ts');
    const { GatewayConfigSchema } = await import('../../src/config/config-schema.ts');
    const { createLogger } = await import('../../src/core/logger.ts');
    const gateway = await startGateway(
      GatewayConfigSchema.parse({
        server: { host: '127.0.0.1', port: 0 },
        dataDir,
        apiKeys: [{ key: first.key, user: 'alice', name: 'test' }],
        sites: [{ id: 'demo', kind: 'demo', embedded: false, baseUrl: first.demo.url }],
      }),
      { logger: createLogger('silent') },
    );
    try {
      const again = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: first.key, maxRetries: 0 });
      messages.push({ role: 'user', content: 'after restart' });
      const b = await again.chat.completions.create({ model: 'demo/text-1', messages });
      assert.equal(turnOf(b.choices[0]?.message.content ?? ''), 2);
    } finally {
      await gateway.close();
      await first.demo.close();
    }
  });
});
