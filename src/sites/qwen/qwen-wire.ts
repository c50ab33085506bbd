import { z } from 'zod';

/**
 * chat.qwen.ai's web API as public clients document it. Sources (commit each was read at):
 * - Rfym21/Qwen2API src/utils/token-manager.js @ e43334fd (signin: `{email, password: sha256hex}` → `{token}`),
 *   src/utils/request.js @ e43334fd (headers, `chats/new`, completions always streamed),
 *   src/utils/upload.js @ 3e11841d (STS token, `{success,data}` wrapper or bare, OSS PUT, document parse),
 *   src/models/models-map.js @ c1bcce3f (`info.meta` capability fields);
 * - xtekky/gpt4free g4f/Provider/Qwen.py @ 079a5fd2 (completion body, SSE `response.created`,
 *   `choices[0].delta.{content, phase, status}`, `{error:{code, details}}`, STS v2 path, OSS4 headers);
 * - xiaoY233/Chat2API src/main/proxy/adapters/qwen-ai.ts @ 5f9fc4d3 (`version: "2.1"`, feature_config,
 *   `thinking_summary` phase with cumulative `extra.summary_thought.content`, DELETE /api/v2/chats/{id}).
 */

/** Many answers come wrapped as `{ success, data }`; some older ones are bare. */
export function unwrapData(body: unknown): unknown {
  if (body && typeof body === 'object' && 'data' in body && 'success' in body) {
    return (body as { data: unknown }).data;
  }
  return body;
}

export const SigninResponse = z.object({ token: z.string().min(1) }).loose();

export const QwenUser = z
  .object({ id: z.string().nullish(), email: z.string().nullish(), name: z.string().nullish() })
  .loose();

export const QwenModel = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    info: z
      .object({
        meta: z
          .object({
            capabilities: z
              .object({
                vision: z.boolean().optional(),
                document: z.boolean().optional(),
                thinking: z.boolean().optional(),
              })
              .loose()
              .optional(),
            abilities: z.object({ thinking: z.number().optional() }).loose().optional(),
            chat_type: z.array(z.string()).optional(),
            max_context_length: z.number().optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type QwenModel = z.infer<typeof QwenModel>;

export const QwenModels = z.object({ data: z.array(QwenModel) }).loose();

export const NewChat = z.object({ id: z.string().min(1) }).loose();

/** `GET /api/v2/chats/{id}`: the tree of messages; the tip is the next turn's parent. */
export const ChatDetail = z
  .object({
    chat: z
      .object({
        history: z
          .object({
            currentId: z.string().nullish(),
            messages: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
    currentId: z.string().nullish(),
  })
  .loose();

export const QwenErrorBody = z
  .object({
    success: z.literal(false).optional(),
    data: z.object({ code: z.string().optional(), details: z.string().optional() }).loose().optional(),
    error: z.object({ code: z.string().optional(), details: z.string().optional() }).loose().optional(),
  })
  .loose();

export const QwenChunk = z
  .object({
    'response.created': z
      .object({ response_id: z.string().nullish(), parent_id: z.string().nullish() })
      .loose()
      .optional(),
    choices: z
      .array(
        z
          .object({
            delta: z
              .object({
                role: z.string().optional(),
                content: z.string().nullish(),
                phase: z.string().nullish(),
                status: z.string().nullish(),
                extra: z
                  .object({
                    summary_thought: z
                      .object({ content: z.array(z.string()).optional() })
                      .loose()
                      .optional(),
                  })
                  .loose()
                  .nullish(),
              })
              .loose()
              .optional(),
            finish_reason: z.string().nullish(),
          })
          .loose(),
      )
      .optional(),
    error: z.object({ code: z.string().optional(), details: z.string().optional() }).loose().optional(),
  })
  .loose();
export type QwenChunk = z.infer<typeof QwenChunk>;

export const StsToken = z
  .object({
    access_key_id: z.string().min(1),
    access_key_secret: z.string().min(1),
    security_token: z.string().min(1),
    file_url: z.string().min(1),
    file_path: z.string().min(1),
    bucketname: z.string().min(1).nullish(),
    region: z.string().nullish(),
    file_id: z.string().min(1),
  })
  .loose();
export type StsToken = z.infer<typeof StsToken>;

export const ParseStatus = z.union([
  z.array(z.object({ file_id: z.string().optional(), status: z.string().optional() }).loose()),
  z
    .object({
      status: z.string().optional(),
      list: z
        .array(z.object({ file_id: z.string().optional(), status: z.string().optional() }).loose())
        .optional(),
    })
    .loose(),
]);
