import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import sharp from 'sharp';
import { SECOND_KEY, type Stack, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';

const FIRST_LINE =
  /^\[(?<model>[\w-]+)\] turn=(?<turn>\d+) attachments=(?<attachments>\d+) sha256=(?<sha>\S+) chars=(?<chars>\d+) digest=(?<digest>[0-9a-f]{12}) system=(?<system>\S+)/;

const digest12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

function firstLine(text: string): Record<string, string> {
  const match = FIRST_LINE.exec(text);
  assert.ok(match?.groups, `no demo first line in: ${text}`);
  return match.groups;
}

for (const transport of SITE_TRANSPORTS) {
  describe(`openai SDK → /v1/responses → demo site — ${transport.name}`, () => {
    let stack: Stack;
    let client: OpenAI;
    before(async () => {
      stack = await startStack({ site: transport.site });
      client = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    test('non-streaming create: output_text carries the demo reply', async () => {
      const input = 'Reply with the word MANGO';
      const response = await client.responses.create({ model: 'demo/text-1', input });
      assert.equal(response.object, 'response');
      assert.equal(response.status, 'completed');
      assert.match(response.id, /^resp_/);
      assert.equal(response.model, 'demo/text-1');
      const line = firstLine(response.output_text);
      assert.equal(line.model, 'text-1');
      assert.equal(line.turn, '1');
      assert.equal(line.chars, String(input.length));
      assert.equal(line.digest, digest12(input));
      assert.equal(line.system, '-');
      assert.match(response.output_text, /\n\nMANGO$/);
      const message = response.output.find((item) => item.type === 'message');
      assert.equal(message?.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.equal(message.status, 'completed');
      const part = message.content[0];
      assert.equal(part?.type, 'output_text');
      assert.equal(part.text, response.output_text);
      assert.ok((response.usage?.input_tokens ?? 0) > 0);
      assert.ok((response.usage?.output_tokens ?? 0) > 0);
      assert.equal(
        response.usage?.total_tokens,
        (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
      );
    });

    test('streaming create: response.created first, item added/done, response.completed last with usage', async () => {
      const stream = await client.responses.create({
        model: 'demo/text-1',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'repeat papaya 4 times' }] }],
        stream: true,
      });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const types = events.map((event) => event.type);
      assert.equal(types[0], 'response.created');
      assert.equal(types.at(-1), 'response.completed');
      assert.ok(types.includes('response.output_item.added'), types.join());
      assert.ok(types.includes('response.output_item.done'), types.join());
      assert.ok(types.indexOf('response.output_item.added') < types.indexOf('response.output_text.delta'));
      assert.ok(types.lastIndexOf('response.output_text.delta') < types.indexOf('response.output_text.done'));
      assert.ok(types.indexOf('response.output_text.done') < types.lastIndexOf('response.output_item.done'));
      // sequence_number increases by one from the first event.
      assert.deepEqual(
        events.map((event) => event.sequence_number),
        events.map((_event, index) => index),
      );

      const created = events[0];
      assert.equal(created?.type, 'response.created');
      assert.equal(created.response.status, 'in_progress');

      let deltas = '';
      for (const event of events) if (event.type === 'response.output_text.delta') deltas += event.delta;
      assert.equal(firstLine(deltas).model, 'text-1');
      assert.match(deltas, /\n\npapaya papaya papaya papaya$/);

      const done = events.find((event) => event.type === 'response.output_text.done');
      assert.equal(done?.type, 'response.output_text.done');
      assert.equal(done.text, deltas);

      const completed = events.at(-1);
      assert.equal(completed?.type, 'response.completed');
      assert.equal(completed.response.id, created.response.id);
      assert.equal(completed.response.status, 'completed');
      assert.ok((completed.response.usage?.input_tokens ?? 0) > 0);
      assert.ok((completed.response.usage?.output_tokens ?? 0) > 0);
      const item = completed.response.output.find((entry) => entry.type === 'message');
      assert.equal(item?.type, 'message');
      const part = item.content[0];
      assert.equal(part?.type, 'output_text');
      assert.equal(part.text, deltas);
    });

    test('responses.stream() helper: text delta events and finalResponse()', async () => {
      const runner = client.responses.stream({ model: 'demo/fast-1', input: 'count to 12' });
      let fromEvents = '';
      runner.on('response.output_text.delta', (event) => {
        fromEvents += event.delta;
      });
      const final = await runner.finalResponse();
      assert.equal(final.status, 'completed');
      assert.equal(final.output_text, fromEvents);
      assert.equal(firstLine(final.output_text).model, 'fast-1');
      assert.match(final.output_text, /\n\n1 2 3 4 5 6 7 8 9 10 11 12$/);
    });

    test('instructions become the site system prompt (digest in the first line)', async () => {
      const instructions = 'You are a terse assistant. Answer in one word.';
      const response = await client.responses.create({
        model: 'demo/text-1',
        instructions,
        input: 'say hello',
      });
      assert.equal(firstLine(response.output_text).system, digest12(instructions));
      assert.equal(response.instructions, instructions);
      assert.match(response.output_text, /\n\nhello$/);
    });

    test('input_image as a data URL reaches the vision model byte for byte', async () => {
      const png = await sharp({ create: { width: 9, height: 7, channels: 3, background: '#3a6' } })
        .png()
        .toBuffer();
      const sha = createHash('sha256').update(png).digest('hex');
      const response = await client.responses.create({
        model: 'demo/vision-1',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Describe this image' },
              {
                type: 'input_image',
                image_url: `data:image/png;base64,${png.toString('base64')}`,
                detail: 'auto',
              },
            ],
          },
        ],
      });
      const line = firstLine(response.output_text);
      assert.equal(line.model, 'vision-1');
      assert.equal(line.attachments, '1');
      assert.equal(line.sha, sha);
    });

    test('previous_response_id continues the same site thread (turn 2, only the new text sent)', async () => {
      const first = await client.responses.create({ model: 'demo/text-1', input: 'remember QUINCE' });
      assert.equal(firstLine(first.output_text).turn, '1');
      const followUp = 'what did I ask you to remember';
      const second = await client.responses.create({
        model: 'demo/text-1',
        input: followUp,
        previous_response_id: first.id,
      });
      assert.equal(second.previous_response_id, first.id);
      const line = firstLine(second.output_text);
      assert.equal(line.turn, '2');
      assert.equal(line.chars, String(followUp.length));
      assert.match(second.output_text, /remember QUINCE\.?$/);
      // The site saw both turns on one thread.
      const received = stack.demo.receivedMessages(20);
      const firstSent = received.find((message) => message.text === 'remember QUINCE');
      const secondSent = received.find((message) => message.text === followUp);
      assert.ok(firstSent && secondSent, JSON.stringify(received.map((m) => m.text)));
      assert.equal(secondSent.threadId, firstSent.threadId);
      assert.equal(secondSent.turn, 2);
    });

    test('previous_response_id stored under another API key is a 404', async () => {
      const first = await client.responses.create({ model: 'demo/text-1', input: 'say private' });
      const other = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: SECOND_KEY, maxRetries: 0 });
      const error = await other.responses
        .create({ model: 'demo/text-1', input: 'say leak', previous_response_id: first.id })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.param, 'previous_response_id');
      assert.equal(error.type, 'invalid_request_error');
      assert.ok(!JSON.stringify(error.error).includes('private'));
      // The owner can still continue from it.
      const owner = await client.responses.create({
        model: 'demo/text-1',
        input: 'say mine',
        previous_response_id: first.id,
      });
      assert.match(owner.output_text, /\n\nmine$/);
    });

    test('reasoning model streams a reasoning item before the message', async () => {
      const stream = await client.responses.create({
        model: 'demo/reasoning-1',
        input: 'reply with the word OLIVE',
        reasoning: { effort: 'medium', summary: 'auto' },
        stream: true,
      });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      assert.equal(events[0]?.type, 'response.created');
      assert.equal(events.at(-1)?.type, 'response.completed');

      let reasoning = '';
      let text = '';
      for (const event of events) {
        if (event.type === 'response.reasoning_summary_text.delta') reasoning += event.delta;
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      assert.match(reasoning, /^Thinking about turn 1:/);
      assert.equal(firstLine(text).model, 'reasoning-1');
      assert.match(text, /\n\nOLIVE$/);
      const types = events.map((event) => event.type);
      assert.ok(
        types.lastIndexOf('response.reasoning_summary_text.delta') <
          types.indexOf('response.output_text.delta'),
      );

      const added = events.filter((event) => event.type === 'response.output_item.added');
      assert.deepEqual(
        added.map((event) => event.item.type),
        ['reasoning', 'message'],
      );
      const completed = events.at(-1);
      assert.equal(completed?.type, 'response.completed');
      assert.deepEqual(
        completed.response.output.map((item) => item.type),
        ['reasoning', 'message'],
      );
      const reasoningItem = completed.response.output[0];
      assert.equal(reasoningItem?.type, 'reasoning');
      assert.equal(reasoningItem.summary[0]?.text, reasoning);
      assert.ok((completed.response.usage?.output_tokens ?? 0) > 0);
    });
  });
}
