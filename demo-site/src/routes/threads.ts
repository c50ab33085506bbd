import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RequestGuard } from '../auth/guard.ts';
import type { SiteContext } from '../context.ts';
import { DemoError } from '../errors.ts';
import { DEFAULT_MODEL, isModelId, type ModelId } from '../models.ts';
import { messageJson, type Thread, threadJson } from '../store/threads.ts';
import { parseBody } from './parse-body.ts';

const CreateThreadBody = z.object({
  model: z.string().min(1).nullish(),
  title: z.string().max(200).nullish(),
  systemPrompt: z.string().nullish(),
});

const PatchThreadBody = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  systemPrompt: z.string().nullish(),
});

type ThreadParams = { Params: { id: string } };

export function modelOrThrow(id: string): ModelId {
  if (!isModelId(id)) throw new DemoError(404, 'unknown_model', `Unknown model: ${id}`);
  return id;
}

export function threadOrThrow(ctx: SiteContext, owner: string, id: string): Thread {
  const thread = ctx.threads.get(owner, id);
  if (!thread) throw new DemoError(404, 'thread_not_found', `No thread ${id}.`);
  return thread;
}

export function registerThreadRoutes(app: FastifyInstance, ctx: SiteContext, guard: RequestGuard): void {
  const owner = (request: FastifyRequest) => guard.sessionOf(request).username;

  app.get('/api/threads', async (request) => ({ threads: ctx.threads.list(owner(request)).map(threadJson) }));

  app.post('/api/threads', async (request, reply) => {
    const body = parseBody(CreateThreadBody, request.body);
    const thread = ctx.threads.create(owner(request), {
      model: modelOrThrow(body.model ?? DEFAULT_MODEL),
      title: body.title ?? undefined,
      systemPrompt: body.systemPrompt ?? null,
    });
    return reply.code(201).send({ thread: threadJson(thread) });
  });

  app.get<ThreadParams>('/api/threads/:id', async (request) => {
    const thread = threadOrThrow(ctx, owner(request), request.params.id);
    return { thread: threadJson(thread), messages: thread.messages.map(messageJson) };
  });

  app.patch<ThreadParams>('/api/threads/:id', async (request) => {
    const thread = threadOrThrow(ctx, owner(request), request.params.id);
    const body = parseBody(PatchThreadBody, request.body);
    if (body.title !== undefined) thread.title = body.title;
    if (body.systemPrompt !== undefined) thread.systemPrompt = body.systemPrompt || null;
    ctx.threads.touch(thread);
    return { thread: threadJson(thread) };
  });

  app.delete<ThreadParams>('/api/threads/:id', async (request, reply) => {
    const thread = threadOrThrow(ctx, owner(request), request.params.id);
    ctx.generations.stopThread(thread.id);
    ctx.threads.delete(thread.owner, thread.id);
    return reply.code(204).send();
  });
}
