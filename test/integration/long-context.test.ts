import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

function longHistory(turns: number): Array<{ role: 'user' | 'assistant'; content: string }> {
  const messages: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: `question ${i} ${'x'.repeat(300)}` });
    messages.push({ role: 'assistant', content: `answer ${i} ${'y'.repeat(300)}` });
  }
  messages.push({ role: 'user', content: 'the last question' });
  return messages;
}

async function chat(url: string, key: string, model: string, messages: unknown[]) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages }),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

async function anthropic(url: string, key: string, model: string, messages: unknown[]) {
  const response = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 100, messages }),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

for (const transport of SITE_TRANSPORTS) {
  describe(`histories longer than the model input limit — ${transport.name}`, () => {
    test('drop-oldest keeps the last turns and says so in a header', async () => {
      const stack = await startStack({ demo: { maxInputChars: 3000 }, site: transport.site });
      try {
        const { response, body } = await chat(stack.url, stack.key, 'demo/text-1', longHistory(20));
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.match(response.headers.get('x-gateway-context-truncated') ?? '', /^dropped=\d+$/);
        const sent = (await (await fetch(`${stack.demo.url}/__control/received?limit=1`)).json()) as {
          messages: Array<{ text: string }>;
        };
        const text = sent.messages[0]?.text ?? '';
        assert.ok(text.length <= 3000);
        assert.match(text, /earlier turns? omitted/);
        assert.match(text, /the last question$/);
        assert.ok(!text.includes('question 0 '), 'the oldest turn was dropped');
      } finally {
        await stack.close();
      }
    });

    test('reject gives the dialect context-length error and sends nothing', async () => {
      const stack = await startStack({
        demo: { maxInputChars: 3000 },
        site: transport.site,
        config: { conversations: { contextPolicy: 'reject' } },
      });
      try {
        const openai = await chat(stack.url, stack.key, 'demo/text-1', longHistory(20));
        assert.equal(openai.response.status, 400);
        assert.equal((openai.body.error as { code: string }).code, 'context_length_exceeded');
        const claude = await anthropic(stack.url, stack.key, 'demo/text-1', longHistory(20));
        assert.equal(claude.response.status, 400);
        assert.equal((claude.body.error as { type: string }).type, 'invalid_request_error');
        const stats = await stack.demoStats();
        assert.equal(stats.generations ?? 0, 0);
      } finally {
        await stack.close();
      }
    });

    test('upload-file sends the history as a text file where the model takes files', async () => {
      const stack = await startStack({
        demo: { maxInputChars: 3000 },
        site: transport.site,
        config: { conversations: { contextPolicy: 'upload-file' } },
      });
      try {
        const { response, body } = await chat(stack.url, stack.key, 'demo/vision-1', longHistory(20));
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.equal(response.headers.get('x-gateway-context-file'), 'conversation-history.txt');
        const content = (
          (body.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? ''
        ).split('\n')[0];
        assert.match(content ?? '', /attachments=1/);
      } finally {
        await stack.close();
      }
    });
  });
}
