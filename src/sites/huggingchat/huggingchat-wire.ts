import { z } from 'zod';

/**
 * HuggingChat's web API as its open-source server (huggingface/chat-ui, Apache-2.0) defines it.
 * Sources, by the commit each shape was read at:
 * - models: src/routes/api/v2/models/+server.ts @ bc7f74d7 (superjson `{ json: [...] }`);
 * - conversation read/delete: src/routes/api/v2/conversations/[id]/+server.ts @ 065e4c32;
 * - user: src/routes/api/v2/user/+server.ts @ bc7f74d7;
 * - create: src/routes/conversation/+server.ts (`{ model, preprompt? }` → `{ conversationId }`);
 * - message updates: src/lib/types/MessageUpdate.ts (stream, finalAnswer, status, reasoning,
 *   title, file, routerMetadata…), the client side read as in xtekky/gpt4free
 *   g4f/Provider/needs_auth/hf/HuggingChat.py @ 0366acbc (stream tokens padded with U+0000).
 */

/** superjson responses carry the value under `json` (plus `meta` for dates); tolerate bare values. */
export function unwrapSuperjson(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'json' in body) {
    return (body as { json: unknown }).json;
  }
  return body;
}

export const HuggingChatModel = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    displayName: z.string().nullish(),
    multimodal: z.boolean().nullish(),
    multimodalAcceptedMimetypes: z.array(z.string()).nullish(),
    supportsTools: z.boolean().nullish(),
    unlisted: z.boolean().nullish(),
    isRouter: z.boolean().nullish(),
    parameters: z.object({ max_new_tokens: z.number().nullish() }).loose().nullish(),
  })
  .loose();
export type HuggingChatModel = z.infer<typeof HuggingChatModel>;

export const HuggingChatModels = z.array(HuggingChatModel);

export const CreatedConversation = z.object({ conversationId: z.string().min(1) }).loose();

export const ConversationMessages = z
  .object({
    messages: z.array(
      z.object({ id: z.string(), from: z.string().optional(), content: z.string().optional() }).loose(),
    ),
    rootMessageId: z.string().nullish(),
  })
  .loose();

export const HuggingChatUser = z
  .object({ id: z.string().optional(), username: z.string().optional(), email: z.string().nullish() })
  .loose()
  .nullable();

/** One JSON line of the reply stream. Unknown types are passed over. */
export const MessageUpdate = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stream'), token: z.string(), len: z.number().optional() }).loose(),
  z.object({ type: z.literal('finalAnswer'), text: z.string(), interrupted: z.boolean().optional() }).loose(),
  z
    .object({
      type: z.literal('status'),
      status: z.string(),
      message: z.string().optional(),
      statusCode: z.number().optional(),
    })
    .loose(),
  z
    .object({
      type: z.literal('reasoning'),
      subtype: z.string().optional(),
      token: z.string().optional(),
      status: z.string().optional(),
    })
    .loose(),
  z.object({ type: z.literal('title'), title: z.string().optional() }).loose(),
  z
    .object({ type: z.literal('routerMetadata'), route: z.string().optional(), model: z.string().optional() })
    .loose(),
  z
    .object({
      type: z.literal('file'),
      sha: z.string().optional(),
      name: z.string().optional(),
      mime: z.string().optional(),
    })
    .loose(),
  z.object({ type: z.literal('error'), message: z.string().optional(), name: z.string().optional() }).loose(),
]);
export type MessageUpdate = z.infer<typeof MessageUpdate>;
