import { runServedBy, type ServedBy } from '../core/served-by.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatEvent } from '../core/chat-event.ts';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { admitChat, type ChatAdmission } from '../admission/admit-chat.ts';
import { type MeterDeps, meteredEvents, startMetering } from '../multi-user/meter-request.ts';
import { type PipelineDeps, startChat } from '../pipeline/run-chat.ts';
import type { LiveRequests } from './operations/live-requests.ts';
import type { GatewayMetrics } from './operations/metrics.ts';
import type { FrontDoor, RenderInput } from './front-door.ts';
import { SseWriter } from './sse-writer.ts';

export interface ChatHandlerDeps {
  pipeline: PipelineDeps;
  keepAliveMs: number;
  /** Aborted by a shutdown whose grace period is over (`server/operations/drain.ts`). */
  drainSignal?: AbortSignal | undefined;
  /** Rate limits and the fair account queue; absent = admit everything. */
  admission?: ChatAdmission;
  /** Token quotas for users-table keys (multi-user); absent = nothing metered. */
  meter?: MeterDeps | undefined;
  /** Requests in flight, listed and cancellable by the admin (`operations/live-requests.ts`). */
  live?: LiveRequests | undefined;
  /** Request counts, TTFT, durations and tokens for `/metrics` (`operations/metrics.ts`). */
  metrics?: GatewayMetrics | undefined;
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
  const observed = deps.metrics?.startChat(request.routeOptions.url ?? request.url, reply.raw);
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
  const drained = () => clientGone.abort(deps.drainSignal?.reason);
  if (deps.drainSignal?.aborted) drained();
  deps.drainSignal?.addEventListener('abort', drained, { once: true });
  reply.raw.once('close', () => deps.drainSignal?.removeEventListener('abort', drained));

  // Reserved before the request waits or the site is called; a request over quota never reaches it.
  const served: ServedBy = {};
  const meter = await startMetering(deps.meter, principal, chat, {
    requestId: request.id,
    dialect: frontDoor.dialect,
    served,
  });
  const refund = async (error: unknown, reason: string) => {
    await meter?.settle({ clientAborted: clientGone.signal.aborted, error: reason });
    throw error;
  };
  const admitted = await admitChat(deps.admission, {
    chat,
    principal,
    dialect: frontDoor.dialect,
    reply,
    signal: clientGone.signal,
  }).catch((error: unknown) => refund(error, 'admission_refused'));
  // Cancelling from the admin API aborts like a client that left: the site generation stops.
  const live = deps.live?.track(
    {
      requestId: request.id,
      userId: principal.userId,
      keyId: principal.keyId,
      model: chat.model,
      dialect: frontDoor.dialect,
      stream: chat.stream,
    },
    (reason) => clientGone.abort(reason),
    served,
  );
  let usedTokens: number | undefined;
  const counted = (event: ChatEvent): ChatEvent => {
    if (event.type === 'text-delta' || event.type === 'reasoning-delta') {
      live?.noteOutput(event.text.length);
      observed?.output();
    } else if (event.type === 'tool-call-delta') {
      live?.noteOutput(event.argumentsDelta.length);
      observed?.output();
    } else if (event.type === 'usage') {
      usedTokens = event.usage.inputTokens + event.usage.outputTokens;
      observed?.usage(event.usage.inputTokens, event.usage.outputTokens);
    }
    return event;
  };
  try {
    // The pipeline and an account pool note the serving site and account on `served`.
    await runServedBy(served, runAdmitted);
  } finally {
    live?.done();
    admitted.release(usedTokens);
  }

  async function runAdmitted(): Promise<void> {
    const conversationId = request.headers['x-conversation-id'];
    const run = await startChat(deps.pipeline, chat, {
      principal,
      signal: clientGone.signal,
      requestId: request.id,
      conversationId:
        typeof conversationId === 'string' && conversationId !== '' ? conversationId : undefined,
      toolCallIdPrefix: frontDoor.dialect === 'anthropic' ? 'toolu_' : 'call_',
    }).catch((error: unknown) => refund(error, 'start_failed'));
    if (meter) run.events = meteredEvents(run.events, meter, clientGone.signal);
    if (observed) observed.model = run.publicModel;
    const input: RenderInput = {
      id: frontDoor.newId(),
      publicModel: chat.model,
      createdAt: Math.floor(Date.now() / 1000),
      inputTokens: run.inputTokens,
    };
    const headers = { ...admitted.headers, ...run.headers, 'x-gateway-model': run.publicModel };
    const seen: ChatEvent[] = [];
    const completed = async (rendered: object | undefined) => {
      if (!frontDoor.completed || seen.at(-1)?.type !== 'finish') return;
      await frontDoor
        .completed({ request: chat, extras, principal, input, events: seen, rendered })
        .catch((error: unknown) => {
          request.log.error({ err: error }, 'could not record the completed response');
        });
    };

    if (!chat.stream) {
      for await (const event of run.events) {
        counted(event);
        if (event.type === 'error') throw event.error;
        seen.push(event);
      }
      const body = frontDoor.renderResponse(seen, input, extras, chat);
      await completed(body);
      reply.headers(headers).send(body);
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
        counted(event);
        if (event.type === 'error') {
          request.log.warn({ err: event.error }, 'generation failed mid-stream');
          observed?.streamError(event.error.kind);
        }
        lastWrite = Date.now();
        // Only a front door that records finished responses needs the streamed events kept.
        if (frontDoor.completed) seen.push(event);
        await writer.write(renderer.push(event));
      }
      await completed(renderer.result?.());
    } catch (error) {
      // A failure after streaming began becomes the dialect's error event, never a silent end.
      const failure = toGatewayError(error);
      observed?.streamError(failure.kind);
      await writer.write(renderer.push({ type: 'error', error: failure }));
    } finally {
      clearInterval(keepAlive);
      writer.end();
    }
  }
}
