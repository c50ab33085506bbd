import { z } from 'zod';
import { OpenAIErrorBody } from '../kit/map-upstream-error.ts';

/**
 * The parts of the OpenAI Chat Completions wire this adapter reads, as documented in the OpenAI API
 * reference (chat object, chat chunk object, models list, error object) and followed by Poe
 * (creator.poe.com/docs/external-applications/openai-compatible-api, /api-reference/errors) and the
 * HuggingFace router. Everything else is optional and passed over: upstreams add fields freely.
 */

export const OpenAIModelEntry = z
  .object({
    id: z.string().min(1),
    /** Not in OpenAI's own listing; OpenRouter-style routers and some proxies add these. */
    name: z.string().optional(),
    context_length: z.number().optional(),
    architecture: z
      .object({ input_modalities: z.array(z.string()).optional() })
      .loose()
      .optional(),
    supported_parameters: z.array(z.string()).optional(),
  })
  .loose();
export type OpenAIModelEntry = z.infer<typeof OpenAIModelEntry>;

export const OpenAIModelsBody = z.object({ data: z.array(OpenAIModelEntry) }).loose();

const ToolCallDelta = z
  .object({
    index: z.number().int().nonnegative().optional(),
    id: z.string().nullish(),
    type: z.string().nullish(),
    function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).loose().nullish(),
  })
  .loose();

export const OpenAIChunk = z
  .object({
    choices: z
      .array(
        z
          .object({
            index: z.number().optional(),
            delta: z
              .object({
                content: z.string().nullish(),
                /** DeepSeek, vLLM, Qwen and HF router reasoning field. */
                reasoning_content: z.string().nullish(),
                /** OpenRouter-style reasoning field. */
                reasoning: z.string().nullish(),
                tool_calls: z.array(ToolCallDelta).nullish(),
              })
              .loose()
              .optional(),
            finish_reason: z.string().nullish(),
          })
          .loose(),
      )
      .optional(),
    error: OpenAIErrorBody.shape.error.optional(),
  })
  .loose();
export type OpenAIChunk = z.infer<typeof OpenAIChunk>;

/** A non-streamed completion: some upstreams answer JSON even when asked to stream. */
export const OpenAICompletion = z
  .object({
    choices: z.array(
      z
        .object({
          message: z
            .object({
              content: z.string().nullish(),
              reasoning_content: z.string().nullish(),
              reasoning: z.string().nullish(),
              tool_calls: z
                .array(
                  z
                    .object({
                      id: z.string(),
                      function: z.object({ name: z.string(), arguments: z.string().nullish() }).loose(),
                    })
                    .loose(),
                )
                .nullish(),
            })
            .loose(),
          finish_reason: z.string().nullish(),
        })
        .loose(),
    ),
  })
  .loose();
export type OpenAICompletion = z.infer<typeof OpenAICompletion>;

/** What this adapter sends (the subset of the Chat Completions request it uses). */
export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'file'; file: { filename: string; file_data: string } };

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAIToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean };
}

export type OpenAIToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  stream: true;
  tools?: OpenAIToolDefinition[];
  tool_choice?: OpenAIToolChoice;
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  [extra: string]: unknown;
}
