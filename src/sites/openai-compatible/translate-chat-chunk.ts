import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { CUSTOM_TOOL_INPUT } from './build-chat-request.ts';
import { OpenAIChunk, type OpenAICompletion } from './openai-wire.ts';

type FinishReason = Extract<SiteEvent, { type: 'finish' }>['reason'];

export interface ChunkTranslatorOptions {
  /** Names of tools that were sent as wrapped custom tools (their `input` string is unwrapped). */
  customToolNames?: ReadonlySet<string>;
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Turns streamed Chat Completions chunks into SiteEvents. Text and reasoning go out as they come;
 * tool calls arrive as fragments keyed by `index` (id and name first, arguments in pieces) and go
 * out whole once the choice finishes, because a half-assembled call is of no use to anyone.
 * Exactly one `finish` is produced, last.
 */
export class ChunkTranslator {
  readonly #custom: ReadonlySet<string>;
  readonly #calls = new Map<number, PendingCall>();
  #finished = false;
  #finishReason: string | undefined;

  constructor(options: ChunkTranslatorOptions = {}) {
    this.#custom = options.customToolNames ?? new Set();
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** One parsed `data:` payload. A chunk carrying `error` throws: the upstream failed mid-stream. */
  push(payload: unknown): SiteEvent[] {
    if (this.#finished) return [];
    const parsed = OpenAIChunk.safeParse(payload);
    if (!parsed.success) return [];
    const chunk = parsed.data;
    if (chunk.error !== undefined) throw streamError(chunk.error);
    const events: SiteEvent[] = [];
    // Only the first choice is read: the adapter never asks for `n` > 1.
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (!choice) return events;
    const delta = choice.delta;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (reasoning) events.push({ type: 'reasoning', delta: reasoning });
    if (delta?.content) events.push({ type: 'text', delta: delta.content });
    for (const fragment of delta?.tool_calls ?? []) {
      const index = fragment.index ?? this.#calls.size;
      const call = this.#calls.get(index) ?? { id: '', name: '', arguments: '' };
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name += fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
      this.#calls.set(index, call);
    }
    if (choice.finish_reason) {
      this.#finishReason = choice.finish_reason;
      events.push(...this.#finish());
    }
    return events;
  }

  /**
   * The stream ended. `sawDone` tells whether the upstream sent `[DONE]`: some servers end with it
   * and no `finish_reason`, which is a normal end; a bare close is not.
   */
  end(sawDone: boolean): SiteEvent[] {
    if (this.#finished) return [];
    if (!sawDone) {
      throw new GatewayError('upstream', 'The upstream closed the stream before the reply finished.');
    }
    return this.#finish();
  }

  #finish(): SiteEvent[] {
    this.#finished = true;
    const events: SiteEvent[] = [];
    const ordered = [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    for (const [position, call] of ordered.entries()) {
      if (!call.name) continue;
      events.push({
        type: 'tool-call',
        // A few servers omit ids; the result must still be attributable.
        id: call.id || `call_${position}`,
        name: call.name,
        arguments: this.#custom.has(call.name) ? unwrapCustomInput(call.arguments) : call.arguments || '{}',
      });
    }
    const hasCalls = events.length > 0;
    events.push({ type: 'finish', reason: mapFinishReason(this.#finishReason, hasCalls) });
    return events;
  }
}

/** A whole (non-streamed) completion as the same events a stream would give. */
export function translateCompletion(
  body: OpenAICompletion,
  options: ChunkTranslatorOptions = {},
): SiteEvent[] {
  const translator = new ChunkTranslator(options);
  const choice = body.choices[0];
  if (!choice) return translator.end(true);
  return translator.push({
    choices: [
      {
        index: 0,
        delta: {
          content: choice.message.content,
          reasoning_content: choice.message.reasoning_content ?? choice.message.reasoning,
          tool_calls: (choice.message.tool_calls ?? []).map((call, index) => ({
            index,
            id: call.id,
            function: { name: call.function.name, arguments: call.function.arguments ?? '' },
          })),
        },
        finish_reason: choice.finish_reason ?? 'stop',
      },
    ],
  });
}

export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  // Some upstreams say `stop` after tool calls; the calls are what the client must act on.
  if (hasToolCalls) return 'tool-calls';
  if (reason === 'length' || reason === 'max_tokens') return 'length';
  return 'stop';
}

function unwrapCustomInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as Record<string, unknown>;
    const input = parsed[CUSTOM_TOOL_INPUT];
    return typeof input === 'string' ? input : args;
  } catch {
    return args;
  }
}

function streamError(error: NonNullable<OpenAIChunk['error']>): GatewayError {
  const message = typeof error === 'string' ? error : (error.message ?? 'unknown error');
  const code = typeof error === 'string' ? undefined : error.code;
  if (code === 'context_length_exceeded') {
    return new GatewayError('context_length_exceeded', `The upstream refused the input: ${message}`);
  }
  if (code === 'rate_limit_exceeded' || code === 429) {
    return new GatewayError('rate_limit', `The upstream rate-limited the reply mid-stream: ${message}`);
  }
  return new GatewayError('upstream', `The upstream failed mid-stream: ${message}`);
}
