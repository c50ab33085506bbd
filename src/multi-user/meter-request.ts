/**
 * Quota metering for one chat request of a metered (users-table) key: reserve before the site is
 * called (prompt estimate + max output tokens or a default), watch the event stream, settle after.
 * Finished → the `usage` event's tokens; error before any output → 0 (refund); client abort or
 * error mid-stream → the tokens produced so far (estimated from the streamed text).
 */
import type { ChatEvent } from '../core/chat-event.ts';
import type { ChatRequest } from '../core/chat-request.ts';
import { GatewayError } from '../core/errors.ts';
import type { ServedBy } from '../core/served-by.ts';
import { estimateRequestTokens, estimateTokens } from '../pipeline/token-estimate.ts';
import type { QuotaLedger } from './quota-ledger.ts';
import { type MultiUserPrincipal, modelAllowed } from './store-authenticator.ts';

export interface MeterDeps {
  ledger: QuotaLedger;
  /** Output tokens reserved when the request names no max_tokens. */
  defaultMaxTokens: number;
}

export interface RequestMeter {
  observe(event: ChatEvent): void;
  settle(outcome: { clientAborted: boolean; error?: string | undefined }): Promise<void>;
}

export async function startMetering(
  deps: MeterDeps | undefined,
  principal: MultiUserPrincipal,
  chat: ChatRequest,
  meta: { requestId: string; dialect: string; served?: ServedBy },
): Promise<RequestMeter | undefined> {
  const p = principal;
  if (!p.metered) return undefined;
  if (!modelAllowed(p.models, chat.model)) {
    throw new GatewayError('permission', `This API key may not use the model '${chat.model}'.`, {
      param: 'model',
    });
  }
  if (deps === undefined) return undefined;
  const prompt = estimateRequestTokens(chat);
  const reservation = await deps.ledger.reserve(
    p.userId,
    prompt + (chat.maxOutputTokens ?? deps.defaultMaxTokens),
  );
  if (reservation === undefined) {
    throw new GatewayError(
      'insufficient_quota',
      'You exceeded your token quota for this gateway; ask its admin to raise it.',
      { retryable: false },
    );
  }
  const started = Date.now();
  let firstOutputAt: number | undefined;
  let produced = '';
  let usage: Extract<ChatEvent, { type: 'usage' }>['usage'] | undefined;
  let finished = false;
  return {
    observe(event) {
      if (
        event.type === 'text-delta' ||
        event.type === 'reasoning-delta' ||
        event.type === 'tool-call-delta'
      ) {
        firstOutputAt ??= Date.now();
        produced += event.type === 'tool-call-delta' ? event.argumentsDelta : event.text;
      } else if (event.type === 'usage') usage = event.usage;
      else if (event.type === 'finish') finished = true;
    },
    async settle({ clientAborted, error }) {
      const output = usage?.outputTokens ?? estimateTokens(produced);
      const input = usage?.inputTokens ?? prompt;
      const charge = finished ? input + output : produced === '' ? 0 : input + estimateTokens(produced);
      await deps.ledger.settle(
        reservation,
        {
          requestId: meta.requestId,
          userId: p.userId,
          keyId: p.keyId,
          dialect: meta.dialect,
          model: chat.model,
          siteId: meta.served?.siteId,
          accountId: meta.served?.accountId,
          promptTokens: input,
          completionTokens: finished ? output : estimateTokens(produced),
          reasoningTokens: 0,
          promptMeasured: usage !== undefined && !usage.estimated,
          completionMeasured: finished && usage !== undefined && !usage.estimated,
          reasoningMeasured: false,
          status: finished ? 'ok' : clientAborted ? 'aborted' : 'error',
          errorType: error,
          ttftMs: firstOutputAt === undefined ? undefined : firstOutputAt - started,
          durationMs: Date.now() - started,
          stream: chat.stream,
          clientAborted,
          at: new Date(),
        },
        charge,
      );
    },
  };
}

/** Passes the events through, observing them; settles once when the consumer stops, however it stops. */
export async function* meteredEvents(
  events: AsyncIterable<ChatEvent>,
  meter: RequestMeter,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  let error: string | undefined;
  try {
    for await (const event of events) {
      meter.observe(event);
      if (event.type === 'error') error = event.error.kind;
      yield event;
    }
  } catch (thrown) {
    error = thrown instanceof GatewayError ? thrown.kind : 'internal';
    throw thrown;
  } finally {
    await meter.settle({ clientAborted: signal.aborted, error });
  }
}
