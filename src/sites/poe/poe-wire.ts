import { z } from 'zod';

/**
 * Shapes of Poe's GraphQL answers and update frames this adapter reads, as the reference clients
 * read them: liuyingduo/poe-api-wrapper reverse/api.py @ 4ae9996d (send_message, get_available_bots,
 * on_message, delete_chat) and snowby666/poe-api-wrapper api.py @ bbb6831. All loose: Poe adds fields.
 */

export const GqlResponse = z
  .object({
    data: z.record(z.string(), z.unknown()).nullish(),
    errors: z.array(z.object({ message: z.string().optional() }).loose()).nullish(),
  })
  .loose();

export const MessageEdgeCreate = z
  .object({
    status: z.string(),
    statusMessage: z.string().nullish(),
    chat: z
      .object({
        chatId: z.union([z.number(), z.string()]),
        chatCode: z.string().nullish(),
        id: z.string().nullish(),
        title: z.string().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type MessageEdgeCreate = z.infer<typeof MessageEdgeCreate>;

export const BotNode = z
  .object({
    handle: z.string().min(1),
    displayName: z.string().nullish(),
    /** The bot's internal codename (`capybara` for Assistant), what the send mutation names. */
    nickname: z.string().nullish(),
    botId: z.union([z.number(), z.string()]).nullish(),
    deletionState: z.string().nullish(),
    supportsFileUpload: z.boolean().nullish(),
    allowsImageAttachments: z.boolean().nullish(),
  })
  .loose();
export type BotNode = z.infer<typeof BotNode>;

export const AvailableBots = z
  .object({
    viewer: z
      .object({
        availableBotsConnection: z
          .object({
            edges: z.array(z.object({ node: BotNode }).loose()),
            pageInfo: z
              .object({ endCursor: z.string().nullish(), hasNextPage: z.boolean().nullish() })
              .loose(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

/** One update frame on the channel socket: `{"messages": ["<json>", …]}` or a control object. */
export const ChannelFrame = z
  .object({
    messages: z.array(z.string()).optional(),
    error: z.string().optional(),
    type: z.string().optional(),
  })
  .loose();

export const ChannelMessage = z
  .object({
    message_type: z.string().optional(),
    payload: z
      .object({
        subscription_name: z.string().optional(),
        unique_id: z.string().optional(),
        data: z.record(z.string(), z.unknown()).nullish(),
      })
      .loose()
      .optional(),
  })
  .loose();

export const MessageAdded = z
  .object({
    messageId: z.union([z.number(), z.string()]),
    text: z.string().nullish(),
    state: z.string().nullish(),
    author: z.string().nullish(),
  })
  .loose();
export type MessageAdded = z.infer<typeof MessageAdded>;
