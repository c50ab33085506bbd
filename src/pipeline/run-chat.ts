import { noteServedBy } from '../core/served-by.ts';
import type { Principal } from '../auth/principal.ts';
import type { TimeoutsConfig } from '../config/config-schema.ts';
import type { ChatEvent, FinishReason } from '../core/chat-event.ts';
import type { ChatRequest } from '../core/chat-request.ts';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { answerFromEvents } from '../features/conversations/answer-message.ts';
import type { ContextPolicy } from '../features/conversations/context-limit.ts';
import type { ConversationPlan, Conversations } from '../features/conversations/conversation-planner.ts';
import type { ConversationScope } from '../features/conversations/conversation-planner.ts';
import { StopSequenceFilter } from '../features/sampling/stop-sequence-filter.ts';
import {
  type CorrectionFeedback,
  correctiveMessage,
  requiredCallFailure,
  createToolEventTransformer,
  planStructuredOutput,
  planToolUse,
  renderToolCallAsText,
  renderToolResultAsText,
  type StructuredOutputPlan,
  type ToolPlan,
} from '../features/tools/index.ts';
import { ThreadNotFoundError } from '../site-contract/site-errors.ts';
import type { SiteEvent, SiteTurn } from '../site-contract/site.ts';
import { firstEventWithRetry } from './first-event-with-retry.ts';
import type { ModelCatalog, ResolvedModel } from './model-catalog.ts';
import { prepareSiteTurn } from './prepare-site-turn.ts';
import type { ReasoningSigner } from './reasoning-signature.ts';
import { estimateRequestTokens, estimateTokens } from './token-estimate.ts';
import { type UploadDeduper, uploadMedia } from './upload-media.ts';
import { withTimeouts } from './with-timeouts.ts';

// Longer than 400 lines because the retry loop, attempt and stream assembly still live together; issue 15 splits them into composed stream stages.

export interface PipelineDeps {
  catalog: ModelCatalog;
  timeouts: TimeoutsConfig;
  logger: Logger;
  signer: ReasoningSigner;
  conversations: Conversations;
  uploads: UploadDeduper;
  /** Resolves remote URLs and normalises media for the model; runs before anything is sent. */
  resolveAttachments: (
    request: ChatRequest,
    resolved: ResolvedModel,
    signal: AbortSignal,
  ) => Promise<ChatRequest>;
  /** What to do with a history longer than the model's input limit. */
  contextPolicy: ContextPolicy;
}

export interface ChatCall {
  principal: Principal;
  /** Aborts when the client goes away; the site generation is stopped with it. */
  signal: AbortSignal;
  requestId: string;
  /** `x-conversation-id`: pins the request to a named site thread of this key. */
  conversationId?: string;
  /** Tool call ids in the caller's dialect (`call_`, `toolu_`). */
  toolCallIdPrefix?: string;
}

export interface ChatRun {
  /** `site/model` that served the request. */
  publicModel: string;
  inputTokens: number;
  /** Extra response headers (the thread mode, a context truncation notice). */
  headers: Record<string, string>;
  /** The rest of the generation. Failures after this point arrive as an `error` event. */
  events: AsyncIterable<ChatEvent>;
}

const TOOL_RENDERERS = {
  renderToolCall: renderToolCallAsText,
  renderToolResult: (part: Parameters<typeof renderToolResultAsText>[0]) => renderToolResultAsText(part),
};

interface Started {
  first: IteratorResult<SiteEvent>;
  rest: AsyncIterator<SiteEvent>;
}

/**
 * Runs one request against its site. Everything that can fail before the first byte of the reply
 * (routing, validation, attachments, login, uploads, the site refusing the turn) throws from here,
 * so the front door can still answer with a proper status code.
 */
export async function startChat(deps: PipelineDeps, original: ChatRequest, call: ChatCall): Promise<ChatRun> {
  const resolved = await deps.catalog.resolve(original.model, call.signal);
  const siteAbort = new AbortController();
  const onClientGone = () => siteAbort.abort(call.signal.reason);
  if (call.signal.aborted) onClientGone();
  call.signal.addEventListener('abort', onClientGone, { once: true });
  const release = () => call.signal.removeEventListener('abort', onClientGone);
  const send = (turn: SiteTurn) =>
    withTimeouts(resolved.site.send(turn, siteAbort.signal), deps.timeouts, (reason) =>
      siteAbort.abort(reason),
    );

  noteServedBy({ siteId: resolved.site.id });
  try {
    const request = await deps.resolveAttachments(original, resolved, siteAbort.signal);
    const caps = resolved.model.capabilities;
    const toolPlan = planToolUse(request, caps);
    const structured =
      request.responseFormat.type === 'text' ? undefined : planStructuredOutput(request.responseFormat);
    const scope: ConversationScope = {
      keyId: call.principal.keyId,
      siteId: resolved.site.id,
      model: resolved.model.id,
    };
    const planned = { system: request.system, tools: request.tools, messages: request.messages };
    // The whole conversation as the caller sent it, as the real APIs count it (clients track their
    // context size with it), even when only the new turn goes to the site thread.
    const inputTokens = estimateRequestTokens(request);

    // Set when the thread's account could not serve and the conversation went on by flattening.
    let lostThread: ThreadNotFoundError | undefined;
    for (let attempt = 0; ; attempt++) {
      const plan = await deps.conversations.plan({
        request: planned,
        scope,
        site: resolved.site.capabilities,
        conversationId: call.conversationId,
      });
      let sent = false;
      try {
        const prepared = prepareSiteTurn(
          request,
          plan,
          resolved.model,
          toolPlan,
          structured?.instructions ? [structured.instructions] : [],
          TOOL_RENDERERS,
          { policy: deps.contextPolicy, site: resolved.site.capabilities },
        );
        const attachments = await uploadMedia(resolved.site, prepared.media, deps.uploads, siteAbort.signal);
        if (prepared.historyFile)
          attachments.unshift(await resolved.site.upload(prepared.historyFile, siteAbort.signal));
        const turn: SiteTurn = { ...prepared.turn, attachments };
        sent = true;
        // The first site event proves the site accepted the turn; errors before it are request errors
        // (a transient one is retried once first).
        const { first, rest } = await firstEventWithRetry(() => send(turn), {
          signal: siteAbort.signal,
          logger: deps.logger,
          requestId: call.requestId,
        });
        deps.logger.debug(
          { requestId: call.requestId, model: resolved.publicName, thread: plan.mode },
          'site accepted the turn',
        );
        const headers: Record<string, string> = {
          'x-gateway-thread':
            plan.mode === 'continue'
              ? 'continued'
              : `new; reason=${lostThread?.why === 'account-unavailable' ? 'account-unavailable' : plan.reason}`,
        };
        if (prepared.droppedTurns > 0) {
          headers['x-gateway-context-truncated'] = `dropped=${prepared.droppedTurns}`;
          deps.logger.warn(
            { requestId: call.requestId, droppedTurns: prepared.droppedTurns },
            'history over the model input limit: oldest turns dropped',
          );
        }
        if (prepared.historyFile) headers['x-gateway-context-file'] = prepared.historyFile.filename;
        const events = generate({
          deps,
          call,
          request,
          resolved,
          toolPlan,
          structured,
          plan,
          scope,
          planned,
          inputTokens,
          started: { first, rest },
          send,
          done: () => {
            release();
            if (!siteAbort.signal.aborted) siteAbort.abort(new Error('generation finished'));
          },
        });
        return { publicModel: resolved.publicName, inputTokens, headers, events };
      } catch (error) {
        if (error instanceof ThreadNotFoundError && plan.mode === 'continue' && attempt === 0) {
          deps.logger.info(
            { requestId: call.requestId, thread: plan.threadId },
            'site lost the thread; starting anew',
          );
          await deps.conversations.forgetThread(plan.thread);
          lostThread = error;
          continue;
        }
        // Give the thread back only when the site cannot hold any part of this turn: nothing was sent,
        // or the site refused it outright.
        const refused = error instanceof GatewayError && error.status < 500 && error.kind !== 'timeout';
        if (!sent || refused) {
          await deps.conversations.release(plan).catch(() => undefined);
        }
        throw error;
      }
    }
  } catch (error) {
    release();
    siteAbort.abort(error);
    if (!call.signal.aborted) throw toGatewayError(error);
    // The caller's reason when it gave one (a shutdown's "retry the request"), else the client left.
    const reason: unknown = call.signal.reason;
    throw reason instanceof GatewayError ? reason : new GatewayError('timeout', 'The client went away.');
  }
}

/**
 * The error for a reply that still fails after the corrective retry. When the retry merely made no
 * call, what the first attempt got wrong is the useful part ("called X with arguments that …").
 */
function finalFailure(failure: string, result: AttemptResult, first: CorrectionFeedback | undefined): string {
  const retryProblems = result.feedback?.problems.length ?? 0;
  if (
    result.feedback === undefined ||
    retryProblems > 0 ||
    first === undefined ||
    first.problems.length === 0
  ) {
    return failure;
  }
  return `${requiredCallFailure(first)}; the corrective retry made no call either`;
}

interface GenerateInput {
  deps: PipelineDeps;
  call: ChatCall;
  request: ChatRequest;
  resolved: ResolvedModel;
  toolPlan: ToolPlan;
  structured: StructuredOutputPlan | undefined;
  plan: ConversationPlan;
  scope: ConversationScope;
  planned: Pick<ChatRequest, 'system' | 'tools' | 'messages'>;
  inputTokens: number;
  started: Started;
  send: (turn: SiteTurn) => AsyncIterable<SiteEvent>;
  done: () => void;
}

/**
 * Site events → canonical events: tool calls parsed or passed through, reasoning signed, stop
 * sequences enforced; a forced tool choice or JSON format gets one corrective retry in the same
 * thread. The turn is recorded for continuation only when it finished.
 */
async function* generate(input: GenerateInput): AsyncIterable<ChatEvent> {
  const { deps, request, toolPlan, structured } = input;
  const emitted: ChatEvent[] = [];
  let threadId: string | undefined = input.plan.mode === 'continue' ? input.plan.threadId : undefined;
  let output = '';
  let finished = false;
  let firstFeedback: CorrectionFeedback | undefined;
  let attempt: Started = input.started;
  try {
    for (let round = 0; ; round++) {
      const mustCheck = toolPlan.forced || structured !== undefined;
      const running = runAttempt(attempt, input, mustCheck, (id) => {
        threadId ??= id;
      });
      let step = await running.next();
      while (!step.done) {
        emitted.push(step.value);
        yield step.value;
        step = await running.next();
      }
      const result = step.value;
      output += result.outputText;
      const failure = result.failure;
      if (failure === undefined || round === 1 || !threadId) {
        if (failure !== undefined)
          throw new GatewayError('upstream', finalFailure(failure, result, firstFeedback));
        for (const event of result.buffered) {
          emitted.push(event);
          yield event;
        }
        const usage: ChatEvent = {
          type: 'usage',
          usage: {
            inputTokens: input.inputTokens,
            // Text a site adds around the answer is counted too; never report more than the caller allowed.
            outputTokens: Math.min(
              estimateTokens(output),
              request.maxOutputTokens ?? Number.POSITIVE_INFINITY,
            ),
            estimated: true,
          },
        };
        const finish: ChatEvent = {
          type: 'finish',
          reason: result.finishReason,
          ...(result.stopSequence !== undefined ? { stopSequence: result.stopSequence } : {}),
        };
        emitted.push(usage, finish);
        yield usage;
        yield finish;
        finished = true;
        break;
      }
      if (result.feedback)
        firstFeedback = {
          problems: [...result.feedback.problems],
          narratedToolNames: [...result.feedback.narratedToolNames],
        };
      deps.logger.info(
        { requestId: input.call.requestId, problem: failure },
        'reply did not satisfy the request; retrying once',
      );
      const text = toolPlan.forced
        ? correctiveMessage(toolPlan, request.tools, request, result.feedback)
        : `Your previous reply was not valid: ${failure}. Reply again with only the JSON, nothing else.`;
      const stream = input.send({ model: input.resolved.model.id, threadId, text, attachments: [] });
      const rest = stream[Symbol.asyncIterator]();
      attempt = { first: await rest.next(), rest };
    }
  } catch (error) {
    const failure = toGatewayError(error);
    emitted.push({ type: 'error', error: failure });
    yield { type: 'error', error: failure };
  } finally {
    input.done();
    // A consumer that stops reading (the client left mid-stream) leaves the site stream paused at
    // an event: close it, so that the site stops the generation and its timers end.
    void attempt.rest.return?.().catch(() => undefined);
  }
  if (finished && threadId) {
    const answer = answerFromEvents(emitted);
    if (answer) {
      await deps.conversations
        .recordCompletedTurn({
          scope: input.scope,
          request: input.planned,
          answer,
          thread: { siteId: input.resolved.site.id, threadId },
          conversationId: input.call.conversationId,
        })
        .catch((error: unknown) =>
          deps.logger.error({ err: error }, 'could not record the conversation turn'),
        );
    }
  }
}

interface AttemptResult {
  /** Events held back for validation (forced tools, JSON); empty when they were streamed live. */
  buffered: ChatEvent[];
  finishReason: FinishReason;
  stopSequence?: string;
  outputText: string;
  failure?: string;
  feedback?: Parameters<typeof correctiveMessage>[3];
}

async function* runAttempt(
  started: Started,
  input: GenerateInput,
  buffer: boolean,
  onThread: (threadId: string) => void,
): AsyncGenerator<ChatEvent, AttemptResult> {
  const { deps, toolPlan, request, structured } = input;
  const transformer = createToolEventTransformer(toolPlan, request.tools, {
    idPrefix: input.call.toolCallIdPrefix,
    parallel: toolPlan.parallel,
  });
  const stopFilter = new StopSequenceFilter(request.stop);
  const buffered: ChatEvent[] = [];
  let reasoning = '';
  let reasoningOpen = false;
  let outputText = '';
  let text = '';
  let siteFinished = false;

  const showReasoning = request.reasoning?.enabled !== false;
  const out = function* (events: ChatEvent[]): Generator<ChatEvent> {
    for (const event of events) {
      if (event.type === 'reasoning-delta' && !showReasoning) continue;
      if (event.type === 'reasoning-delta') {
        reasoningOpen = true;
        reasoning += event.text;
        outputText += event.text;
      } else if (reasoningOpen) {
        reasoningOpen = false;
        const end: ChatEvent = { type: 'reasoning-end', signature: deps.signer.sign(reasoning) };
        if (buffer) buffered.push(end);
        else yield end;
      }
      let forward: ChatEvent | undefined = event;
      if (event.type === 'text-delta') {
        const released = stopFilter.push(event.text);
        forward = released ? { type: 'text-delta', text: released } : undefined;
        if (released) {
          outputText += released;
          text += released;
        }
      } else if (event.type === 'tool-call-start') outputText += event.name;
      else if (event.type === 'tool-call-delta') outputText += event.argumentsDelta;
      if (!forward) continue;
      if (buffer) buffered.push(forward);
      else yield forward;
    }
  };

  let next = started.first;
  while (!next.done) {
    const event = next.value;
    if (event.type === 'thread') onThread(event.threadId);
    if (event.type === 'finish') {
      siteFinished = true;
      transformer.push(event);
      break;
    }
    yield* out(transformer.push(event));
    if (stopFilter.hit !== undefined) break;
    next = await started.rest.next();
  }
  void started.rest.return?.();
  if (!siteFinished && stopFilter.hit === undefined) {
    throw new GatewayError('upstream', 'The site ended the reply without finishing it.');
  }
  yield* out(transformer.end());
  const tail = stopFilter.end();
  if (tail) {
    outputText += tail;
    text += tail;
    const event: ChatEvent = { type: 'text-delta', text: tail };
    if (buffer) buffered.push(event);
    else yield event;
  }
  if (reasoningOpen) {
    const end: ChatEvent = { type: 'reasoning-end', signature: deps.signer.sign(reasoning) };
    if (buffer) buffered.push(end);
    else yield end;
  }
  const finishReason: FinishReason =
    stopFilter.hit !== undefined ? 'stop-sequence' : transformer.finishReason;
  const result: AttemptResult = {
    buffered,
    finishReason,
    stopSequence: stopFilter.hit,
    outputText,
  };
  if (toolPlan.forced && transformer.needsRetry) {
    result.failure = requiredCallFailure(transformer);
    result.feedback = transformer;
  } else if (structured && toolPlan.mode === 'none') {
    const check = structured.validate(text);
    if (!check.ok) result.failure = `the reply is not valid JSON for the requested format (${check.error})`;
    else
      result.buffered = [
        ...buffered.filter((e) => e.type !== 'text-delta'),
        { type: 'text-delta', text: check.text },
      ];
  }
  return result;
}
