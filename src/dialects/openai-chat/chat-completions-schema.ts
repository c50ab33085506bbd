import { z } from 'zod';

/**
 * The Chat Completions request as it arrives on the wire. Unknown fields are stripped (tolerated);
 * optional fields accept `null` because several clients send explicit nulls.
 */

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string(), detail: z.string().nullish() }),
});
const filePart = z.object({
  type: z.literal('file'),
  file: z.object({
    file_data: z.string().nullish(),
    file_id: z.string().nullish(),
    filename: z.string().nullish(),
  }),
});
const audioPart = z.object({ type: z.literal('input_audio') });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const userContentPart = z.discriminatedUnion('type', [textPart, imagePart, filePart, audioPart]);
export type UserContentPart = z.infer<typeof userContentPart>;

const textOnlyContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]);

const functionToolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const customToolCall = z.object({
  id: z.string(),
  type: z.literal('custom'),
  custom: z.object({ name: z.string(), input: z.string() }),
});
export const wireToolCall = z.discriminatedUnion('type', [functionToolCall, customToolCall]);

const systemMessage = z.object({ role: z.enum(['system', 'developer']), content: textOnlyContent });
const userMessage = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPart)]),
});
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: textOnlyContent.nullish(),
  tool_calls: z.array(wireToolCall).nullish(),
  refusal: z.string().nullish(),
  /** Echoed back by clients that keep the reasoning extension; carried as a reasoning part. */
  reasoning_content: z.string().nullish(),
});
const toolMessage = z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: textOnlyContent });

export const chatMessage = z.discriminatedUnion('role', [
  systemMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);
export type WireChatMessage = z.infer<typeof chatMessage>;

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});
const customTool = z.object({
  type: z.literal('custom'),
  custom: z.object({ name: z.string().min(1), description: z.string().nullish() }),
});
export const wireTool = z.discriminatedUnion('type', [functionTool, customTool]);

const namedToolChoice = z.union([
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
  z.object({ type: z.literal('custom'), custom: z.object({ name: z.string() }) }),
]);
export const wireToolChoice = z.union([z.enum(['auto', 'none', 'required']), namedToolChoice]);

export const wireResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const chatCompletionsBody = z.object({
  model: z.string().min(1),
  messages: z.array(chatMessage),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  response_format: wireResponseFormat.nullish(),
  tools: z.array(wireTool).nullish(),
  tool_choice: wireToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
});
export type ChatCompletionsBody = z.infer<typeof chatCompletionsBody>;
