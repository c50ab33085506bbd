import type { TimeoutsConfig } from '../config/config-schema.ts';
import type { ChatEvent, FinishReason } from '../core/chat-event.ts';
import type { ChatRequest } from '../core/chat-request.ts';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Principal } from '../auth/principal.ts';
import { StopSequenceFilter } from '../features/sampling/stop-sequence-filter.ts';
import type { SiteEvent } from '../sites/site.ts';
import { buildSiteTurn } from './build-site-turn.ts';
import type { ModelCatalog } from './model-catalog.ts';
import type { ReasoningSigner } from './reasoning-signature.ts';
import { estimateTokens } from './token-estimate.ts';
import { withTimeouts } from './with-timeouts.ts';

export interface PipelineDeps {
  catalog: ModelCatalog;
  timeouts: TimeoutsConfig;
  logger: Logger;
  signer: ReasoningSigner;
}

export interface ChatCall {
  principal: Principal;
  /** Aborts when the client goes away; the site generation is stopped with it. */
  signal: AbortSignal;
  requestId: string;
}

export interface ChatRun {
  /** `site/model` that served the request. */
  publicModel: string;
  inputTokens: number;
  /** Extra response headers (e.g. a context truncation notice). */
  headers: Record<string, string>;
  /** The rest of the generation. Failures after this point arrive as an `error` event. */
  events: AsyncIterable<ChatEvent>;
}

/**
 * Runs one request against its site. Everything that can fail before the first byte of the reply
 * (routing, validation, login, uploads, the site refusing the turn) throws from here, so the
 * front door can still answer with a proper status code.
 */
export async function startChat(deps: PipelineDeps, request: ChatRequest, call: ChatCall): Promise<ChatRun> {
  const resolved = await deps.catalog.resolve(request.model, call.signal);
  const siteAbort = new AbortController();
  const onClientGone = () => siteAbort.abort(call.signal.reason);
  if (call.signal.aborted) onClientGone();
  call.signal.addEventListener('abort', onClientGone, { once: true });
  const release = () => call.signal.removeEventListener('abort', onClientGone);

  try {
    const turn = await buildSiteTurn(request, resolved, siteAbort.signal);
    const inputTokens = estimateTokens(`${turn.systemPrompt ?? ''}\n${turn.text}`);
    const source = withTimeouts(resolved.site.send(turn, siteAbort.signal), deps.timeouts, (reason) =>
      siteAbort.abort(reason),
    );
    const iterator = source[Symbol.asyncIterator]();
    // The first site event proves the site accepted the turn; errors before it are request errors.
    const first = await iterator.next();
    deps.logger.debug({ requestId: call.requestId, model: resolved.publicName }, 'site accepted the turn');
    const events = translateSiteEvents(first, iterator, request, inputTokens, deps, () => {
      release();
      if (!siteAbort.signal.aborted) siteAbort.abort(new Error('generation finished'));
    });
    return { publicModel: resolved.publicName, inputTokens, headers: {}, events };
  } catch (error) {
    release();
    siteAbort.abort(error);
    throw call.signal.aborted ? new GatewayError('timeout', 'The client went away.') : toGatewayError(error);
  }
}

async function* translateSiteEvents(
  first: IteratorResult<SiteEvent>,
  rest: AsyncIterator<SiteEvent>,
  request: ChatRequest,
  inputTokens: number,
  deps: PipelineDeps,
  done: () => void,
): AsyncIterable<ChatEvent> {
  const stopFilter = new StopSequenceFilter(request.stop);
  let reasoning = '';
  let reasoningOpen = false;
  let output = '';
  let finish: FinishReason | undefined;
  let sawToolCall = false;

  function* closeReasoning(): Iterable<ChatEvent> {
    if (!reasoningOpen) return;
    reasoningOpen = false;
    yield { type: 'reasoning-end', signature: deps.signer.sign(reasoning) };
  }

  try {
    let next = first;
    while (!next.done) {
      const event = next.value;
      switch (event.type) {
        case 'thread':
          break;
        case 'reasoning':
          reasoningOpen = true;
          reasoning += event.delta;
          output += event.delta;
          yield { type: 'reasoning-delta', text: event.delta };
          break;
        case 'text': {
          yield* closeReasoning();
          const text = stopFilter.push(event.delta);
          output += text;
          if (text) yield { type: 'text-delta', text };
          if (stopFilter.hit !== undefined) finish = 'stop-sequence';
          break;
        }
        case 'tool-call':
          yield* closeReasoning();
          sawToolCall = true;
          output += event.name + event.arguments;
          yield { type: 'tool-call-start', id: event.id, name: event.name, kind: 'function' };
          yield { type: 'tool-call-delta', id: event.id, argumentsDelta: event.arguments };
          yield { type: 'tool-call-end', id: event.id };
          break;
        case 'finish':
          finish ??= sawToolCall ? 'tool-calls' : event.reason;
          break;
      }
      if (finish !== undefined) break;
      next = await rest.next();
    }
    yield* closeReasoning();
    const tail = stopFilter.end();
    if (tail) {
      output += tail;
      yield { type: 'text-delta', text: tail };
    }
    if (finish === undefined) throw new GatewayError('upstream', 'The site ended the reply without finishing it.');
    yield {
      type: 'usage',
      usage: { inputTokens, outputTokens: estimateTokens(output), estimated: true },
    };
    yield { type: 'finish', reason: finish, ...(finish === 'stop-sequence' ? { stopSequence: stopFilter.hit } : {}) };
  } catch (error) {
    yield { type: 'error', error: toGatewayError(error) };
  } finally {
    done();
    void rest.return?.();
  }
}
