import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { DemoError } from '../errors.ts';
import { findModel } from '../models.ts';
import { sha256Hex } from '../reply-script.ts';
import { parseBody } from '../routes/parse-body.ts';
import { acceptSend } from '../routes/send.ts';
import { streamGenerationAsSse } from '../routes/sse-stream.ts';
import { newId } from '../store/ids.ts';
import { inspectUpload } from '../uploads/inspect-upload.ts';

const Part = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1) }) }),
]);

const Message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(Part).max(40)]),
  tool_call_id: z.string().nullish(),
  name: z.string().nullish(),
});

/** The body of `POST /api/v2/chat`: the whole conversation, OpenAI-style, images as `data:` URLs. */
export const ConversationBody = z.object({
  model: z.string().min(1),
  messages: z.array(Message).min(1).max(500),
});

type ConversationMessage = z.infer<typeof Message>;

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=]*)$/;

function textOf(message: ConversationMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

function imagesOf(message: ConversationMessage): { mediaType: string; data: Buffer }[] {
  if (typeof message.content === 'string') return [];
  return message.content.flatMap((part) => {
    if (part.type !== 'image_url') return [];
    const match = DATA_URL.exec(part.image_url.url);
    if (!match?.[1] || match[2] === undefined)
      throw new DemoError(400, 'bad_image', 'Images must be data: URLs (data:<type>;base64,<bytes>).');
    return [{ mediaType: match[1], data: Buffer.from(match[2], 'base64') }];
  });
}

/**
 * Option `conversationApi`: `POST /api/v2/chat` takes the whole conversation on every turn (a
 * stateless API like many self-hosted chat apps) and streams the reply as SSE. The conversation
 * becomes a fresh thread with the earlier messages as its history, so the script sees them.
 */
export function registerConversationChat(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  app.post('/api/v2/chat', async (request, reply) => {
    const session = guard.sessionOf(request);
    const owner = session.username;
    const body = parseBody(ConversationBody, request.body);
    const model = findModel(body.model, ctx.options.maxInputChars);
    if (!model) throw new DemoError(404, 'unknown_model', `Unknown model: ${body.model}`);
    const system = body.messages
      .filter((m) => m.role === 'system')
      .map(textOf)
      .join('\n\n');
    const rest = body.messages.filter((m) => m.role !== 'system');
    const lastUser = rest.findLastIndex((m) => m.role === 'user');
    const lastAssistant = rest.findLastIndex((m) => m.role === 'assistant');
    if (lastUser === -1 && !rest.some((m) => m.role === 'tool'))
      throw new DemoError(400, 'bad_request', 'The conversation has no user message.');
    const current = lastUser === -1 ? undefined : rest[lastUser];
    const earlier = rest.slice(0, Math.max(0, Math.min(lastUser, lastAssistant + 1)));
    const toolResults = rest
      .slice(lastAssistant + 1)
      .flatMap((m) =>
        m.role === 'tool'
          ? [{ toolCallId: m.tool_call_id ?? '', name: m.name ?? 'tool', content: textOf(m) }]
          : [],
      );

    const fileIds: string[] = [];
    for (const image of current ? imagesOf(current) : []) {
      if (image.data.length > ctx.options.maxUploadBytes)
        throw new DemoError(
          413,
          'file_too_large',
          `The file is larger than ${ctx.options.maxUploadBytes} bytes.`,
        );
      const inspected = await inspectUpload(image.data, image.mediaType, 'image');
      const file = ctx.files.add(owner, {
        name: 'image',
        size: image.data.length,
        sha256: sha256Hex(image.data),
        data: image.data,
        ...inspected,
      });
      fileIds.push(file.id);
    }

    const thread = ctx.threads.create(owner, { model: model.id, systemPrompt: system || null });
    for (const message of earlier) {
      if (message.role !== 'user' && message.role !== 'assistant') continue;
      if (message.role === 'user') thread.turns++;
      thread.messages.push({
        id: newId('msg'),
        role: message.role,
        text: textOf(message),
        status: 'complete',
        turn: thread.turns,
      });
    }
    const generation = acceptSend(
      ctx,
      session,
      {
        threadId: thread.id,
        model: body.model,
        text: current ? textOf(current) : '',
        ...(fileIds.length > 0 ? { fileIds } : {}),
        ...(toolResults.length > 0 ? { toolResults } : {}),
      },
      'sse',
    );
    streamGenerationAsSse(generation, reply);
  });
}
