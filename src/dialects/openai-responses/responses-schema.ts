import { z } from 'zod';

/**
 * The Responses request as it arrives on the wire. Unknown fields are stripped (tolerated);
 * optional fields accept `null`. Item and tool types the gateway does not model are kept loose
 * here and skipped by the parser, because Codex and the SDKs send hosted-tool items freely.
 */

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const outputText = z.object({ type: z.literal('output_text'), text: z.string() });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });
const inputImage = z.object({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const inputFile = z.object({
  type: z.literal('input_file'),
  file_data: z.string().nullish(),
  file_url: z.string().nullish(),
  file_id: z.string().nullish(),
  filename: z.string().nullish(),
});
const inputAudio = z.object({ type: z.literal('input_audio') });

export const messageContentPart = z.discriminatedUnion('type', [
  inputText,
  outputText,
  refusal,
  inputImage,
  inputFile,
  inputAudio,
]);
export type MessageContentPart = z.infer<typeof messageContentPart>;

const messageItem = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(messageContentPart)]),
});

const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
const toolOutput = z.union([z.string(), z.array(messageContentPart)]);
const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: toolOutput,
});
const customToolCallItem = z.object({
  type: z.literal('custom_tool_call'),
  call_id: z.string(),
  name: z.string(),
  input: z.string(),
});
const customToolCallOutputItem = z.object({
  type: z.literal('custom_tool_call_output'),
  call_id: z.string(),
  output: toolOutput,
});
const reasoningItem = z.object({
  type: z.literal('reasoning'),
  summary: z.array(z.object({ text: z.string() })).nullish(),
  content: z.array(z.object({ text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});
const itemReference = z.object({ type: z.literal('item_reference'), id: z.string() });

/** Item schemas by `type` (a missing type means a message); the parser picks one per item so errors name the right field. */
export const inputItemSchemas = {
  message: messageItem,
  function_call: functionCallItem,
  function_call_output: functionCallOutputItem,
  custom_tool_call: customToolCallItem,
  custom_tool_call_output: customToolCallOutputItem,
  reasoning: reasoningItem,
  item_reference: itemReference,
} as const;
export type InputItemType = keyof typeof inputItemSchemas;
export type InputItem<T extends InputItemType> = z.infer<(typeof inputItemSchemas)[T]>;

/** Items are validated one by one in the parser, so an unknown hosted-tool item does not fail the body. */
const anyItem = z.looseObject({ type: z.string().optional() });

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const customTool = z.object({
  type: z.literal('custom'),
  name: z.string().min(1),
  description: z.string().nullish(),
});
export const knownTool = z.discriminatedUnion('type', [functionTool, customTool]);

export const wireToolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.enum(['function', 'custom']), name: z.string() }),
  z.object({ type: z.literal('allowed_tools'), mode: z.enum(['auto', 'required']) }),
  // Hosted tool choices (`{type: "web_search_preview"}`…) are tolerated and treated as auto.
  z.looseObject({ type: z.string() }),
]);

export const wireTextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);

export const responsesBody = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(anyItem)]),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: wireToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  text: z.object({ format: wireTextFormat.nullish() }).nullish(),
  reasoning: z
    .object({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
      summary: z.string().nullish(),
    })
    .nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  user: z.string().nullish(),
});
export type ResponsesBody = z.infer<typeof responsesBody>;
