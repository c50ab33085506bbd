import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { evaluateJsonPath, firstMatch, type JsonPath } from './json-path.ts';
import { type ErrorContext, errorFromStream, type RecipeErrors } from './map-recipe-error.ts';
import { matchAll } from './match-condition.ts';
import type { RecipeStream } from './recipe-schema.ts';
import type { StreamRecord } from './stream-records.ts';
import type { TemplateVars } from './template.ts';

type FinishReason = Extract<SiteEvent, { type: 'finish' }>['reason'];

const KNOWN_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  complete: 'stop',
  completed: 'stop',
  finished: 'stop',
  done: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  tool_calls: 'tool-calls',
  'tool-calls': 'tool-calls',
  tool_use: 'tool-calls',
  function_call: 'tool-calls',
};

export interface ExtractorOptions {
  stream: RecipeStream;
  errors: RecipeErrors;
  /** Variables for templated conditions (`{{messageId}}`). */
  vars: TemplateVars;
  /** The thread already known before the stream (a continuation, a created or captured thread). */
  knownThreadId?: string;
  errorContext: ErrorContext;
}

/**
 * Turns stream records into SiteEvents with the recipe's selectors: an explicit state machine (the
 * thread reported once and first, cumulative text turned into deltas, nothing after finish).
 * Site errors in the stream are thrown as GatewayErrors.
 */
export class StreamExtractor {
  readonly #options: ExtractorOptions;
  #threadId: string | undefined;
  #messageId: string | undefined;
  #threadSent = false;
  #finished = false;
  readonly #cumulative = new Map<string, string>();

  constructor(options: ExtractorOptions) {
    this.#options = options;
    this.#threadId = options.knownThreadId;
  }

  get finished(): boolean {
    return this.#finished;
  }

  get threadId(): string | undefined {
    return this.#threadId;
  }

  get messageId(): string | undefined {
    return this.#messageId;
  }

  /** The events one record yields; after `finish` every later record yields nothing. */
  push(record: StreamRecord): SiteEvent[] {
    if (this.#finished) return [];
    const { stream, vars } = this.#options;
    const out: SiteEvent[] = [];
    if (stream.endMarker !== undefined && record.raw.trim() === stream.endMarker) return this.end();

    for (const selector of stream.threadId ?? []) {
      if (!matchAll(selector.when, record, vars)) continue;
      const value = scalarText(firstMatch(selector.path, record.data));
      if (value !== undefined && !this.#threadSent) this.#threadId = value;
    }
    for (const selector of stream.messageId ?? []) {
      if (!matchAll(selector.when, record, vars)) continue;
      const value = scalarText(firstMatch(selector.path, record.data));
      if (value !== undefined) this.#messageId ??= value;
    }
    for (const selector of stream.error ?? []) {
      if (!matchAll(selector.when, record, vars)) continue;
      const code = selector.code ? scalarText(firstMatch(selector.code, record.data)) : undefined;
      const message = selector.message ? scalarText(firstMatch(selector.message, record.data)) : undefined;
      throw errorFromStream(
        this.#options.errors,
        { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) },
        this.#options.errorContext,
      );
    }
    // A meta record names the thread; report it as soon as it is known.
    if (this.#threadId !== undefined) this.#sendThread(out);

    stream.thinking?.forEach((selector, index) => {
      if (!matchAll(selector.when, record, vars)) return;
      const delta = this.#delta(`thinking${index}`, selector.mode, selector.path, record);
      if (delta) this.#emit(out, { type: 'reasoning', delta });
    });
    stream.text.forEach((selector, index) => {
      if (!matchAll(selector.when, record, vars)) return;
      const delta = this.#delta(`text${index}`, selector.mode, selector.path, record);
      if (delta) this.#emit(out, { type: 'text', delta });
    });
    for (const selector of stream.toolCall ?? []) {
      if (!matchAll(selector.when, record, vars)) continue;
      const id = scalarText(firstMatch(selector.id, record.data));
      const name = scalarText(firstMatch(selector.name, record.data));
      const args = firstMatch(selector.arguments, record.data);
      if (!id || !name) continue;
      this.#emit(out, {
        type: 'tool-call',
        id,
        name,
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      });
    }
    for (const selector of stream.finish ?? []) {
      if (!matchAll(selector.when, record, vars)) continue;
      const raw = selector.reason ? scalarText(firstMatch(selector.reason, record.data)) : undefined;
      const reason = raw === undefined ? 'stop' : (selector.reasons[raw] ?? KNOWN_REASONS[raw] ?? 'stop');
      this.#emit(out, { type: 'finish', reason });
      this.#finished = true;
      break;
    }
    return out;
  }

  /** The body ended (or the end marker came): a finish when the recipe allows it, else an error. */
  end(): SiteEvent[] {
    if (this.#finished) return [];
    if (!this.#options.stream.finishOnEnd) {
      throw new GatewayError('upstream', 'The site closed the stream before the reply finished.');
    }
    const out: SiteEvent[] = [];
    this.#emit(out, { type: 'finish', reason: 'stop' });
    this.#finished = true;
    return out;
  }

  #emit(out: SiteEvent[], event: SiteEvent): void {
    this.#sendThread(out);
    out.push(event);
  }

  #sendThread(out: SiteEvent[]): void {
    if (this.#threadSent || this.#threadId === undefined) return;
    this.#threadSent = true;
    out.push({
      type: 'thread',
      threadId: this.#threadId,
      ...(this.#messageId !== undefined ? { messageId: this.#messageId } : {}),
    });
  }

  #delta(key: string, mode: 'delta' | 'cumulative', path: JsonPath, record: StreamRecord): string {
    const text = evaluateJsonPath(path, record.data)
      .map((value) => scalarText(value) ?? '')
      .join('')
      // NUL padding (HuggingChat pads tokens with it) is never reply text.
      .replaceAll('\u0000', '');
    if (mode === 'delta') return text;
    const previous = this.#cumulative.get(key) ?? '';
    this.#cumulative.set(key, text);
    // A rewrite (markdown re-rendered) cannot take back what was sent: only growth is emitted.
    return text.length > previous.length ? text.slice(previous.length) : '';
  }
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
