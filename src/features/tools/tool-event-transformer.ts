import type { ChatEvent, FinishReason } from '../../core/chat-event.ts';
import type { ToolDefinition } from '../../core/chat-request.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { schemaValidator } from './argument-validator.ts';
import { parseLenientJson } from './json-text.ts';
import { createToolIndex } from './resolve-tool-name.ts';
import { newToolCallId } from './tool-call-id.ts';
import { createToolCallParser, type EmittedToolCall, type ToolCallParser } from './tool-call-parser.ts';
import type { ToolCallProblem } from './tool-call-problem.ts';
import type { ToolPlan } from './tool-plan.ts';

/**
 * Turns one site reply (its SiteEvents) into canonical ChatEvents according to the tool plan.
 *
 * It never emits `usage`, `finish` or `error`: the pipeline owns the end of the stream, because it
 * may still retry (forced tool choice without a valid call) and it inserts `usage` before `finish`.
 * After `end()`, `finishReason` says what the finish should carry. `thread` events are ignored (the
 * pipeline reads them itself); `reasoning` becomes `reasoning-delta` (the pipeline closes the block
 * with a signed `reasoning-end`). One transformer per site reply: a retry gets a new one.
 */
export interface ToolEventTransformerOptions {
  idPrefix?: string;
  newId?: () => string;
  /** Overrides `plan.parallel`. */
  parallel?: boolean;
}

export interface ToolEventTransformer {
  push(event: SiteEvent): ChatEvent[];
  end(): ChatEvent[];
  /** Calls emitted (valid or not). */
  readonly callCount: number;
  /** Emitted calls that satisfy the plan: known tool, schema-valid, and the forced tool if named. */
  readonly validCallCount: number;
  readonly calls: readonly EmittedToolCall[];
  readonly problems: readonly ToolCallProblem[];
  /** See ToolCallParser.narratedToolNames (emulation only). */
  readonly narratedToolNames: readonly string[];
  /** For the pipeline's `finish` event; final once `end()` has run. */
  readonly finishReason: FinishReason;
  /** The plan forces a call and this reply has no valid one: time for the corrective retry. */
  readonly needsRetry: boolean;
}

export function createToolEventTransformer(
  plan: ToolPlan,
  tools: ToolDefinition[],
  options: ToolEventTransformerOptions = {},
): ToolEventTransformer {
  const parallel = options.parallel ?? plan.parallel;
  const prefix = options.idPrefix ?? 'call_';
  const newId = options.newId ?? (() => newToolCallId(prefix));
  const parser: ToolCallParser | undefined =
    plan.mode === 'emulated' ? createToolCallParser(tools, { parallel, newId }) : undefined;
  const index = createToolIndex(tools);
  const nativeCalls: EmittedToolCall[] = [];
  const nativeProblems: ToolCallProblem[] = [];
  let siteFinish: 'stop' | 'length' | 'tool-calls' | undefined;
  let ended = false;

  const allCalls = (): readonly EmittedToolCall[] =>
    parser === undefined ? nativeCalls : [...parser.calls, ...nativeCalls];

  function pushNativeCall(event: Extract<SiteEvent, { type: 'tool-call' }>): ChatEvent[] {
    const tool = index.resolve(event.name);
    if (tool === undefined) {
      nativeProblems.push({
        kind: 'unknown-tool',
        name: event.name,
        detail: `no tool named "${event.name}"`,
      });
      return [];
    }
    if (!parallel && allCalls().length > 0) {
      nativeProblems.push({
        kind: 'extra-call',
        name: tool.name,
        detail: 'parallel tool calls are disabled; only the first call is kept',
      });
      return [];
    }
    // Site ids are kept: a later tool result must reach the site under the id the site issued.
    const id = event.id === '' ? newId() : event.id;
    let argumentsText = event.arguments;
    let valid = true;
    if (tool.kind === 'custom') argumentsText = unwrapCustomInput(event.arguments);
    if (tool.kind === 'function') {
      const parsed = parseLenientJson(event.arguments === '' ? '{}' : event.arguments);
      if (parsed.ok) {
        argumentsText = JSON.stringify(parsed.value);
        const check = schemaValidator(tool.parameters)(parsed.value);
        if (!check.ok) {
          valid = false;
          nativeProblems.push({ kind: 'invalid-arguments', name: tool.name, detail: check.error });
        }
      } else {
        valid = false;
        nativeProblems.push({
          kind: 'unparseable',
          name: tool.name,
          detail: `arguments are not JSON: ${parsed.error}`,
        });
      }
    }
    nativeCalls.push({ id, name: tool.name, kind: tool.kind, valid });
    const out: ChatEvent[] = [{ type: 'tool-call-start', id, name: tool.name, kind: tool.kind }];
    if (argumentsText !== '') out.push({ type: 'tool-call-delta', id, argumentsDelta: argumentsText });
    out.push({ type: 'tool-call-end', id });
    return out;
  }

  const transformer: ToolEventTransformer = {
    push(event) {
      if (ended) throw new Error('ToolEventTransformer.push after end()');
      switch (event.type) {
        case 'text':
          if (event.delta === '') return [];
          return parser === undefined
            ? [{ type: 'text-delta', text: event.delta }]
            : parser.push(event.delta);
        case 'reasoning':
          return event.delta === '' ? [] : [{ type: 'reasoning-delta', text: event.delta }];
        case 'tool-call':
          return pushNativeCall(event);
        case 'finish':
          siteFinish = event.reason;
          return [];
        case 'thread':
          return [];
      }
    },
    end() {
      if (ended) return [];
      ended = true;
      return parser === undefined ? [] : parser.end({ truncated: siteFinish === 'length' });
    },
    get callCount() {
      return allCalls().length;
    },
    get validCallCount() {
      return allCalls().filter(
        (call) => call.valid && (plan.forcedToolName === undefined || call.name === plan.forcedToolName),
      ).length;
    },
    get calls() {
      return allCalls();
    },
    get problems() {
      const wrongTool: ToolCallProblem[] =
        plan.forcedToolName === undefined
          ? []
          : allCalls()
              .filter((call) => call.name !== plan.forcedToolName)
              .map((call) => ({
                kind: 'wrong-tool',
                name: call.name,
                detail: `the request requires a call to "${plan.forcedToolName}"`,
              }));
      return [...(parser?.problems ?? []), ...nativeProblems, ...wrongTool];
    },
    get narratedToolNames() {
      return parser?.narratedToolNames ?? [];
    },
    get finishReason(): FinishReason {
      if (allCalls().length > 0) return 'tool-calls';
      // A `tool-calls` finish without any call would send client tool loops looking for calls
      // that are not there; with nothing emitted the reply simply stopped.
      return siteFinish === 'length' ? 'length' : 'stop';
    },
    get needsRetry() {
      return plan.forced && transformer.validCallCount === 0;
    },
  };
  return transformer;
}

/**
 * A custom tool sent to a native site as a one-string function comes back as `{"input": "…"}` (or
 * any object with a single string member); the client expects the raw text.
 */
export function unwrapCustomInput(argumentsText: string): string {
  const trimmed = argumentsText.trim();
  if (!trimmed.startsWith('{')) return argumentsText;
  const parsed = parseLenientJson(trimmed);
  if (
    !parsed.ok ||
    parsed.value === null ||
    typeof parsed.value !== 'object' ||
    Array.isArray(parsed.value)
  ) {
    return argumentsText;
  }
  const values = Object.values(parsed.value as Record<string, unknown>);
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : argumentsText;
}
