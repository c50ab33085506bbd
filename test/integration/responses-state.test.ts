import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type ModelMessage, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';
import { SECOND_KEY, type Stack, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

const TURN = /^\[(?<model>[\w-]+)\] turn=(?<turn>\d+) /;
const turnOf = (text: string) => TURN.exec(text)?.groups?.turn;

/** The AI SDK's default OpenAI provider (Responses API), recording every request body it sends. */
function responsesProvider(stack: Stack) {
  const bodies: Array<{ input?: Array<Record<string, unknown>> }> = [];
  const provider = createOpenAI({
    baseURL: stack.openaiBaseUrl,
    apiKey: stack.key,
    fetch: async (url, init) => {
      if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
      return fetch(url, init);
    },
  });
  const references = () =>
    bodies.flatMap((body) => (body.input ?? []).filter((item) => item.type === 'item_reference'));
  return { model: (id: string) => provider(id), bodies, references };
}

for (const transport of SITE_TRANSPORTS) {
  describe(`Responses API state (item references, retrieve, delete, input items) — ${transport.name}`, () => {
    let stack: Stack;
    let openai: OpenAI;
    let other: OpenAI;
    before(async () => {
      stack = await startStack({ site: transport.site });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      other = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: SECOND_KEY, maxRetries: 0 });
    });
    after(() => stack.close());

    for (const streaming of [false, true]) {
      test(`@ai-sdk/openai: a second turn built from response.messages (item_reference, ${streaming ? 'streamText' : 'generateText'})`, async () => {
        const sdk = responsesProvider(stack);
        const ask = async (messages: ModelMessage[]) => {
          if (!streaming) {
            const result = await generateText({ model: sdk.model('demo/text-1'), messages, maxRetries: 0 });
            return { text: result.text, messages: result.response.messages };
          }
          const errors: unknown[] = [];
          const result = streamText({
            model: sdk.model('demo/text-1'),
            messages,
            maxRetries: 0,
            onError: ({ error }) => {
              errors.push(error);
            },
          });
          const text = await result.text;
          assert.deepEqual(errors, []);
          return { text, messages: (await result.response).messages };
        };
        const history: ModelMessage[] = [{ role: 'user', content: 'Reply with the word GUAVA' }];
        const first = await ask(history);
        assert.match(first.text, /\n\nGUAVA$/);
        history.push(...first.messages, { role: 'user', content: 'Reply with the word KIWI' });
        const second = await ask(history);
        assert.match(second.text, /\n\nKIWI$/);
        // The earlier answer went back as a reference and was resolved to the stored item: the
        // gateway saw the same transcript and continued the same site thread.
        assert.equal(sdk.references().length, 1, JSON.stringify(sdk.bodies.at(-1)));
        assert.equal(turnOf(second.text), '2', second.text);
      });
    }

    for (const model of ['demo/tools-1', 'demo/text-1']) {
      test(`@ai-sdk/openai: a two-step tool loop, streaming and not (${model})`, async () => {
        for (const streaming of [false, true]) {
          const sdk = responsesProvider(stack);
          let executed = 0;
          const options = {
            model: sdk.model(model),
            prompt: 'call tool get_weather with {"city":"Paris"}',
            stopWhen: stepCountIs(2),
            maxRetries: 0,
            tools: {
              get_weather: tool({
                description: 'Current weather for a city',
                inputSchema: z.object({ city: z.string() }),
                execute: async ({ city }) => {
                  executed++;
                  return `foggy in ${city}`;
                },
              }),
            },
          };
          const result = streaming ? streamText(options) : await generateText(options);
          const steps = await result.steps;
          assert.equal(executed, 1, `${model} streaming=${streaming}`);
          assert.equal(steps.length, 2);
          assert.equal(steps[0]?.finishReason, 'tool-calls');
          assert.equal(steps[1]?.finishReason, 'stop');
          assert.ok((await result.text).length > 0);
          const second = sdk.bodies[1]?.input ?? [];
          assert.ok(
            second.some((item) => item.type === 'function_call_output'),
            JSON.stringify(second),
          );
        }
      });
    }

    test('openai: responses.retrieve returns what create returned; the stream’s final object is stored too', async () => {
      const created = await openai.responses.create({
        model: 'demo/text-1',
        input: 'Reply with the word FIG',
      });
      const retrieved = await openai.responses.retrieve(created.id);
      assert.deepEqual(retrieved, created);

      const stream = await openai.responses.create({
        model: 'demo/text-1',
        input: 'Reply with the word LIME',
        stream: true,
      });
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
      assert.ok(completed);
      assert.deepEqual(await openai.responses.retrieve(completed.id), completed);
    });

    test('openai: inputItems.list pages the input items, newest first by default', async () => {
      const created = await openai.responses.create({
        model: 'demo/text-1',
        input: [
          { role: 'developer', content: 'be brief' },
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
          { role: 'user', content: [{ type: 'input_text', text: 'three' }] },
        ],
      });
      const page = await openai.responses.inputItems.list(created.id, { limit: 3 });
      const texts = (items: OpenAI.Responses.ResponseItem[]): string[] =>
        items.map((item) =>
          item.type === 'message' ? (item.content[0] as { text: string }).text : String(item.type),
        );
      assert.deepEqual(texts(page.data), ['three', 'two', 'one']);
      assert.equal(page.has_more, true);
      for (const item of page.data) assert.match(item.id ?? '', /^msg_/);
      const rest = await openai.responses.inputItems.list(created.id, {
        limit: 3,
        after: page.data[2]?.id ?? '',
      });
      assert.deepEqual(texts(rest.data), ['be brief']);
      assert.equal(rest.has_more, false);
      const all: string[] = [];
      for await (const item of openai.responses.inputItems.list(created.id, { limit: 1, order: 'asc' })) {
        all.push(...texts([item]));
      }
      assert.deepEqual(all, ['be brief', 'one', 'two', 'three']);
    });

    test('openai: responses.delete removes the response and its items', async () => {
      const created = await openai.responses.create({
        model: 'demo/text-1',
        input: 'Reply with the word PLUM',
      });
      await openai.responses.delete(created.id);
      await assert.rejects(openai.responses.retrieve(created.id), OpenAI.NotFoundError);
      await assert.rejects(openai.responses.delete(created.id), OpenAI.NotFoundError);
      const messageId = created.output.find((item) => item.type === 'message')?.id ?? '';
      await assert.rejects(
        openai.responses.create({
          model: 'demo/text-1',
          input: [{ type: 'item_reference', id: messageId }],
        }),
        (error: unknown) => error instanceof OpenAI.NotFoundError && /not found/.test(error.message),
      );
    });

    test('key isolation: another key’s responses and items are "not found"', async () => {
      const created = await openai.responses.create({
        model: 'demo/text-1',
        input: 'Reply with the word PEAR',
      });
      const messageId = created.output.find((item) => item.type === 'message')?.id ?? '';
      await assert.rejects(other.responses.retrieve(created.id), OpenAI.NotFoundError);
      await assert.rejects(other.responses.inputItems.list(created.id), OpenAI.NotFoundError);
      await assert.rejects(other.responses.delete(created.id), OpenAI.NotFoundError);
      await assert.rejects(
        other.responses.create({
          model: 'demo/text-1',
          input: [
            { role: 'user', content: 'Reply with the word PEAR' },
            { type: 'item_reference', id: messageId },
            { role: 'user', content: 'again' },
          ],
        }),
        (error: unknown) =>
          error instanceof OpenAI.NotFoundError &&
          error.message.includes(`Item with id '${messageId}' not found`) &&
          (error.error as { param?: string }).param === 'input[1]',
      );
      // The owner still has it.
      assert.equal((await openai.responses.retrieve(created.id)).id, created.id);
    });

    test('store: false keeps nothing; its items cannot be referenced', async () => {
      const created = await openai.responses.create({
        model: 'demo/text-1',
        input: 'Reply with the word DATE',
        store: false,
      });
      assert.equal((created as unknown as { store: boolean }).store, false);
      await assert.rejects(openai.responses.retrieve(created.id), OpenAI.NotFoundError);
      const messageId = created.output.find((item) => item.type === 'message')?.id ?? '';
      await assert.rejects(
        openai.responses.create({ model: 'demo/text-1', input: [{ type: 'item_reference', id: messageId }] }),
        (error: unknown) =>
          error instanceof OpenAI.NotFoundError &&
          /Items are not persisted when `store` is set to false/.test(error.message),
      );
    });
  });
}
