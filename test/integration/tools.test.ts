import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type Stack, startStack } from '../support/start-stack.ts';
import { SITE_TRANSPORTS } from '../support/site-transports.ts';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';

const WEATHER_TOOL: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

const ASK = 'call tool get_weather with {"city":"Paris"}';

for (const transport of SITE_TRANSPORTS) {
  describe(`function calling through every front door (native tools-1 and emulated text-1) — ${transport.name}`, () => {
    let stack: Stack;
    let openai: OpenAI;
    let anthropic: Anthropic;
    before(async () => {
      stack = await startStack({ site: transport.site });
      openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      anthropic = new Anthropic({ baseURL: stack.url, apiKey: stack.key, maxRetries: 0 });
    });
    after(() => stack.close());

    for (const model of ['demo/tools-1', 'demo/text-1']) {
      test(`${model}: chat completions tool loop (call → result → final answer)`, async () => {
        const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
          { role: 'user', content: ASK },
        ];
        const first = await openai.chat.completions.create({ model, messages, tools: [WEATHER_TOOL] });
        const choice = first.choices[0];
        assert.equal(choice?.finish_reason, 'tool_calls');
        const call = choice?.message.tool_calls?.[0];
        assert.ok(call && call.type === 'function');
        assert.equal(call.function.name, 'get_weather');
        assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
        assert.ok(
          !(choice?.message.content ?? '').includes('<tool_call>'),
          'the call tag never leaks as text',
        );
        messages.push(choice!.message);
        messages.push({ role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' });
        const second = await openai.chat.completions.create({ model, messages, tools: [WEATHER_TOOL] });
        assert.equal(second.choices[0]?.finish_reason, 'stop');
        assert.match(second.choices[0]?.message.content ?? '', /sunny, 21 C|get_weather/);
      });

      test(`${model}: streamed tool call arrives as tool_calls deltas with finish_reason tool_calls`, async () => {
        const stream = await openai.chat.completions.create({
          model,
          stream: true,
          messages: [{ role: 'user', content: ASK }],
          tools: [WEATHER_TOOL],
        });
        let args = '';
        let name = '';
        let finish: string | null = null;
        for await (const chunk of stream) {
          for (const choice of chunk.choices) {
            for (const delta of choice.delta.tool_calls ?? []) {
              name ||= delta.function?.name ?? '';
              args += delta.function?.arguments ?? '';
            }
            finish = choice.finish_reason ?? finish;
          }
        }
        assert.equal(name, 'get_weather');
        assert.deepEqual(JSON.parse(args), { city: 'Paris' });
        assert.equal(finish, 'tool_calls');
      });

      test(`${model}: Anthropic tool_use → tool_result → final answer`, async () => {
        const tools: Anthropic.Tool[] = [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ];
        const messages: Anthropic.MessageParam[] = [{ role: 'user', content: ASK }];
        const stream = anthropic.messages.stream({ model, max_tokens: 500, messages, tools });
        const first = await stream.finalMessage();
        assert.equal(first.stop_reason, 'tool_use');
        const use = first.content.find((block) => block.type === 'tool_use');
        assert.ok(use && use.type === 'tool_use');
        assert.match(use.id, /^toolu_|^call_|^[\w-]+$/);
        assert.deepEqual(use.input, { city: 'Paris' });
        messages.push({ role: 'assistant', content: first.content });
        messages.push({
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: use.id, content: 'rainy' }],
        });
        const second = await anthropic.messages.create({ model, max_tokens: 500, messages, tools });
        assert.equal(second.stop_reason, 'end_turn');
      });

      test(`${model}: Responses function_call → function_call_output`, async () => {
        const tools: OpenAI.Responses.Tool[] = [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: false,
          },
        ];
        const first = await openai.responses.create({ model, input: ASK, tools });
        const call = first.output.find((item) => item.type === 'function_call');
        assert.ok(call && call.type === 'function_call');
        assert.equal(call.name, 'get_weather');
        assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
        const second = await openai.responses.create({
          model,
          tools,
          previous_response_id: first.id,
          input: [{ type: 'function_call_output', call_id: call.call_id, output: 'cloudy' }],
        });
        assert.equal(second.status, 'completed');
        assert.ok(second.output_text.length > 0);
      });
    }

    test('Vercel AI SDK streamText runs a multi-step tool loop (native and emulated)', async () => {
      const provider = createOpenAICompatible({
        name: 'gateway',
        baseURL: stack.openaiBaseUrl,
        apiKey: stack.key,
      });
      for (const model of ['demo/tools-1', 'demo/text-1']) {
        let executed = 0;
        const result = streamText({
          model: provider(model),
          prompt: ASK,
          stopWhen: stepCountIs(3),
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
        });
        const text = await result.text;
        const steps = await result.steps;
        assert.equal(executed, 1, model);
        assert.ok(steps.length >= 2, `${model}: ${steps.length} steps`);
        assert.equal(steps[0]?.finishReason, 'tool-calls');
        assert.ok(text.length > 0, model);
      }
    });

    test('tool_choice none hides the tools: no call, plain text', async () => {
      const completion = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: ASK }],
        tools: [WEATHER_TOOL],
        tool_choice: 'none',
      });
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
      assert.equal((completion.choices[0]?.message.tool_calls ?? []).length, 0);
      const last = (await (await fetch(`${stack.demo.url}/__control/received?limit=1`)).json()) as {
        messages: Array<{ text: string; systemPrompt: string | null }>;
      };
      const sent = `${last.messages[0]?.systemPrompt ?? ''}${last.messages[0]?.text ?? ''}`;
      assert.ok(!sent.includes('<tool_call>'), 'the tool protocol was not described to the model');
    });

    test('a forced tool the model does not call gets one corrective retry, then a clear error', async () => {
      const before = (await (await fetch(`${stack.demo.url}/__control/received?limit=1000`)).json()) as {
        messages: unknown[];
      };
      await assert.rejects(
        openai.chat.completions.create({
          model: 'demo/text-1',
          messages: [{ role: 'user', content: 'just chat with me' }],
          tools: [WEATHER_TOOL],
          tool_choice: 'required',
        }),
        (error: unknown) => error instanceof OpenAI.APIError && (error.status ?? 0) >= 500,
      );
      const afterAll = (await (await fetch(`${stack.demo.url}/__control/received?limit=1000`)).json()) as {
        messages: unknown[];
      };
      assert.equal(afterAll.messages.length - before.messages.length, 2, 'one attempt and exactly one retry');
    });

    test('a forced call with invalid arguments fails naming the call and what was wrong', async () => {
      await assert.rejects(
        openai.chat.completions.create({
          model: 'demo/tools-1',
          messages: [{ role: 'user', content: 'what is the weather?' }],
          tools: [WEATHER_TOOL],
          tool_choice: { type: 'function', function: { name: 'get_weather' } },
        }),
        (error: unknown) =>
          error instanceof OpenAI.APIError &&
          error.status === 502 &&
          /the model called "get_weather" with arguments that do not match its schema: .*city/.test(
            error.message,
          ),
      );
    });

    test('output usage never exceeds the max_tokens the caller set', async () => {
      const completion = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'repeat melon 40 times' }],
        max_tokens: 3,
      });
      assert.ok((completion.usage?.completion_tokens ?? 99) <= 3, JSON.stringify(completion.usage));
    });

    test('response_format json_object: the reply is validated JSON', async () => {
      const completion = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'reply in json' }],
        response_format: { type: 'json_object' },
      });
      const parsed = JSON.parse(completion.choices[0]?.message.content ?? '') as Record<string, unknown>;
      assert.equal(parsed.ok, true);
    });
  });
}
