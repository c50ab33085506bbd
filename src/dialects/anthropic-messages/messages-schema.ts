import { z } from 'zod';

/**
 * The Messages request as it arrives on the wire. Unknown fields are stripped (tolerated);
 * `cache_control`, `citations` and the like are accepted and ignored. Content blocks are validated
 * one by one in the parser so that server-tool blocks and future block types can be skipped.
 */

const textBlock = z.object({ type: z.literal('text'), text: z.string() });

const imageSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string() }),
  z.object({ type: z.literal('file'), file_id: z.string() }),
]);
const imageBlock = z.object({ type: z.literal('image'), source: imageSource });

const documentSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.object({ type: z.literal('text'), media_type: z.string().nullish(), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string() }),
  z.object({
    type: z.literal('content'),
    content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
  }),
  z.object({ type: z.literal('file'), file_id: z.string() }),
]);
const documentBlock = z.object({
  type: z.literal('document'),
  source: documentSource,
  title: z.string().nullish(),
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullish(),
  is_error: z.boolean().nullish(),
});
const thinkingBlock = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().nullish(),
});
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

/** Block schemas by `type`; any other type (server tools, search results, …) is skipped. */
export const contentBlockSchemas = {
  text: textBlock,
  image: imageBlock,
  document: documentBlock,
  tool_use: toolUseBlock,
  tool_result: toolResultBlock,
  thinking: thinkingBlock,
  redacted_thinking: redactedThinkingBlock,
} as const;
export type ContentBlockType = keyof typeof contentBlockSchemas;
export type ContentBlock<T extends ContentBlockType> = z.infer<(typeof contentBlockSchemas)[T]>;

const rawBlock = z.looseObject({ type: z.string() });

export const wireMessage = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(rawBlock)]),
});

export const customTool = z.object({
  type: z.literal('custom').nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
});

export const wireToolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.object({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().nullish() }),
  z.object({ type: z.literal('none') }),
]);

export const wireThinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
  z.object({ type: z.literal('disabled') }),
  z.object({ type: z.literal('adaptive') }),
]);

const commonFields = {
  model: z.string().min(1),
  messages: z.array(wireMessage),
  system: z.union([z.string(), z.array(textBlock)]).nullish(),
  tools: z.array(z.looseObject({ type: z.string().nullish() })).nullish(),
  tool_choice: wireToolChoice.nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().nonnegative().nullish(),
  metadata: z.object({ user_id: z.string().nullish() }).nullish(),
  thinking: wireThinking.nullish(),
  stream: z.boolean().nullish(),
};

export const messagesBody = z.object({
  ...commonFields,
  max_tokens: z.number().int().positive(),
});

export const countTokensBody = z.object({
  ...commonFields,
  max_tokens: z.number().int().positive().nullish(),
});
export type MessagesBody = z.infer<typeof countTokensBody>;
