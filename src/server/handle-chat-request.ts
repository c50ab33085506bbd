import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatEvent } from '../core/chat-event.ts';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { type PipelineDeps, startChat } from '../pipeline/run-chat.ts';
import type { FrontDoor, RenderInput } from './front-door.ts';
import { SseWriter } from './sse-writer.ts';

export interface ChatHandlerDeps {
  pipeline: PipelineDeps;
  keepAliveMs: number;
}

/**
 * The whole life of one chat request on the wire, for any front door: parse, run, then stream SSE
 * or answer with one JSON body. Streaming is decided by `body.stream` alone, never by Accept.
 */
export async function handleChatRequest<Extras>(
  frontDoor: FrontDoor<Extras>,
  deps: ChatHandlerDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const principal = request.principal as Principal;
  const parsed = frontDoor.parse(request.body);
  const extras = parsed.extras;
  const chat = frontDoor.prepare
    ? await frontDoor.prepare(parsed.request, extras, principal)
    : parsed.request;
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) {
      request.log.info('client disconnected; stopping the site generation');
      clientGone.abort(new GatewayError('timeout', 'The client disconnected.'));
    }
  });

  const conversationId = request.headers['x-conversation-id'];
  const run = await startChat(deps.pipeline, chat, {
    principal,
    signal: clientGone.signal,
    requestId: request.id,
    conversationId: typeof conversationId === 'string' && conversationId !== '' ? conversationId : undefined,
    toolCallIdPrefix: frontDoor.dialect === 'anthropic' ? 'toolu_' : 'call_',
  });
  const input: RenderInput = {
    id: frontDoor.newId(),
    publicModel: chat.model,
    createdAt: Math.floor(Date.now() / 1000),
    inputTokens: run.inputTokens,
  };
  const headers = { ...run.headers, 'x-gateway-model': run.publicModel };
  const seen: ChatEvent[] = [];
  const completed = async () => {
    if (!frontDoor.completed || seen.at(-1)?.type !== 'finish') return;
    await frontDoor
      .completed({ request: chat, extras, principal, input, events: seen })
      .catch((error: unknown) => {
        request.log.error({ err: error }, 'could not record the completed response');
      });
  };

  if (!chat.stream) {
    for await (const event of run.events) {
      if (event.type === 'error') throw event.error;
      seen.push(event);
    }
    await completed();
    reply.headers(headers).send(frontDoor.renderResponse(seen, input, extras, chat));
    return;
  }

  reply.hijack();
  const renderer = frontDoor.streamRenderer(input, extras, chat);
  const writer = new SseWriter(reply.raw, 200, headers);
  let lastWrite = Date.now();
  const keepAlive = setInterval(
    () => {
      if (Date.now() - lastWrite >= deps.keepAliveMs) {
        lastWrite = Date.now();
        void writer.write([renderer.ping()]);
      }
    },
    Math.max(250, Math.floor(deps.keepAliveMs / 2)),
  );
  try {
    await writer.write(renderer.start());
    for await (const event of run.events) {
      if (writer.closed) break;
      if (event.type === 'error') request.log.warn({ err: event.error }, 'generation failed mid-stream');
      lastWrite = Date.now();
      // Only a front door that records finished responses needs the streamed events kept.
      if (frontDoor.completed) seen.push(event);
      await writer.write(renderer.push(event));
    }
    await completed();
  } catch (error) {
    // A failure after streaming began becomes the dialect's error event, never a silent end.
    await writer.write(renderer.push({ type: 'error', error: toGatewayError(error) }));
  } finally {
    clearInterval(keepAlive);
    writer.end();
  }
}
