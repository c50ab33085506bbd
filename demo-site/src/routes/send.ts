import { z } from 'zod';
import type { Session } from '../auth/sessions.ts';
import type { SiteContext } from '../context.ts';
import { DemoError } from '../errors.ts';
import type { Generation } from '../generation/generation.ts';
import { findModel, type ModelId } from '../models.ts';
import { scriptReply, type ToolChoice, type ToolResultInput, type ToolSpec } from '../reply-script.ts';
import { newId } from '../store/ids.ts';
import type { ReceivedMessage } from '../store/received-log.ts';
import { DEFAULT_TITLE, type StoredMessage, type Thread } from '../store/threads.ts';
import { parseBody } from './parse-body.ts';

const ToolBody = z.object({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});

/** The body of `POST /api/chat` and `POST /api/messages`. */
export const SendBody = z.object({
  threadId: z.string().min(1).nullish(),
  model: z.string().min(1),
  text: z.string(),
  fileIds: z.array(z.string().min(1)).max(20).nullish(),
  systemPrompt: z.string().nullish(),
  tools: z.array(ToolBody).max(128).nullish(),
  toolChoice: z
    .union([z.enum(['auto', 'none', 'required']), z.object({ name: z.string().min(1) })])
    .nullish(),
  toolResults: z
    .array(
      z.object({
        toolCallId: z.string(),
        name: z.string().min(1),
        content: z.string(),
        isError: z.boolean().nullish(),
      }),
    )
    .nullish(),
  maxTokens: z.number().int().positive().nullish(),
});

const DISCONNECT_AFTER_CHUNKS = 3;

function titleFrom(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > 48 ? `${line.slice(0, 47)}…` : line || DEFAULT_TITLE;
}

function wordDelayFor(ctx: SiteContext, model: ModelId): number {
  if (model === 'slow-1') return ctx.options.slowWordDelayMs;
  if (model === 'fast-1') return 0;
  return ctx.options.wordDelayMs;
}

/**
 * Everything both transports do before streaming: checks in the order the errors are documented,
 * then records the turn and starts the generation. Throws DemoError for every refusal.
 */
export function acceptSend(
  ctx: SiteContext,
  session: Session,
  rawBody: unknown,
  transport: ReceivedMessage['transport'],
): Generation {
  if (ctx.faults.takeHttp500())
    throw new DemoError(500, 'fault_injected', 'Injected failure (http500 fault).');
  const body = parseBody(SendBody, rawBody);
  const owner = session.username;
  ctx.limits.takeRate(owner);
  ctx.accountFaults.checkRate(owner, body.model);

  const model = findModel(body.model, ctx.options.maxInputChars);
  if (!model) throw new DemoError(404, 'unknown_model', `Unknown model: ${body.model}`);
  let thread: Thread | undefined;
  if (body.threadId) {
    thread = ctx.threads.get(owner, body.threadId);
    if (!thread) throw new DemoError(404, 'thread_not_found', `No thread ${body.threadId}.`);
  }
  const fileIds = body.fileIds ?? [];
  const tools: ToolSpec[] = (body.tools ?? []).map((tool) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    ...(tool.parameters ? { parameters: tool.parameters } : {}),
  }));
  const toolResults: ToolResultInput[] = (body.toolResults ?? []).map((result) => ({
    toolCallId: result.toolCallId,
    name: result.name,
    content: result.content,
    ...(result.isError ? { isError: true } : {}),
  }));
  if (fileIds.length > 0 && !model.capabilities.files) {
    throw new DemoError(400, 'attachments_not_supported', `${model.id} does not accept attachments.`);
  }
  if ((tools.length > 0 || toolResults.length > 0) && !model.capabilities.tools) {
    throw new DemoError(400, 'tools_not_supported', `${model.id} does not take tools or tool results.`);
  }
  if (body.text.length > model.maxInputChars) {
    throw new DemoError(413, 'input_too_long', `The text is longer than ${model.maxInputChars} characters.`);
  }
  if (body.text.trim() === '' && fileIds.length === 0 && toolResults.length === 0) {
    throw new DemoError(400, 'bad_request', 'The message is empty.');
  }
  const files = fileIds.map((id) => {
    const file = ctx.files.get(owner, id);
    if (!file) throw new DemoError(404, 'file_not_found', `No file ${id}.`);
    return file;
  });
  if (thread && ctx.generations.threadBusy(thread.id)) {
    throw new DemoError(409, 'generation_in_progress', 'Another message is in progress in this thread.');
  }
  if (ctx.generations.activeFor(owner) >= ctx.options.maxConcurrentGenerations) {
    throw new DemoError(409, 'generation_in_progress', 'Another message is in progress. Wait or stop it.');
  }
  ctx.limits.checkQuota(owner, model.id);
  ctx.accountFaults.takeCap(owner, model.id);
  ctx.limits.consumeQuota(owner, model.id);

  thread ??= ctx.threads.create(owner, { model: model.id, systemPrompt: body.systemPrompt ?? null });
  thread.model = model.id;
  const history = thread.messages.filter((m) => m.role === 'user').map((m) => m.text);
  const turn = ++thread.turns;
  if (thread.title === DEFAULT_TITLE && body.text.trim()) thread.title = titleFrom(body.text);
  const userMessage: StoredMessage = {
    id: newId('msg'),
    role: 'user',
    text: body.text,
    ...(fileIds.length > 0 ? { fileIds } : {}),
    status: 'complete',
    turn,
  };
  const assistant: StoredMessage = {
    id: newId('msg'),
    role: 'assistant',
    text: '',
    status: 'streaming',
    turn,
  };
  thread.messages.push(userMessage, assistant);
  ctx.threads.touch(thread);

  const toolChoice: ToolChoice | undefined = body.toolChoice ?? undefined;
  const maxTokens = body.maxTokens ?? undefined;
  ctx.received.record({
    threadId: thread.id,
    messageId: assistant.id,
    username: owner,
    turn,
    model: model.id,
    text: body.text,
    systemPrompt: thread.systemPrompt,
    fileIds,
    tools,
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    toolResults,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    transport,
    receivedAt: new Date().toISOString(),
  });
  const reply = scriptReply({
    model: model.id,
    turn,
    attachmentSha256: files.map((file) => file.sha256),
    text: body.text,
    systemPrompt: thread.systemPrompt,
    history,
    tools,
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    toolResults,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    fastChunks: ctx.options.fastChunks,
  });
  ctx.stats.increment('generations');
  const generation = ctx.generations.start({
    owner,
    threadId: thread.id,
    turn,
    message: assistant,
    reply,
    inputChars: body.text.length,
    wordDelayMs: wordDelayFor(ctx, model.id),
    slowFirstTokenMs: ctx.faults.slowFirstTokenMs,
    stallSeconds: ctx.faults.stallSeconds,
    ...(ctx.faults.takeMidStreamDisconnect() ? { disconnectAfterChunks: DISCONNECT_AFTER_CHUNKS } : {}),
  });
  ctx.stats.noteActive(owner, ctx.generations.activeFor(owner), ctx.generations.activeCount());
  return generation;
}
