import type { ChatEvent, Usage } from '../../core/chat-event.ts';
import { effectiveFinishReason } from '../shared/collect-reply.ts';
import { generateId, type IdGenerator } from '../shared/ids.ts';
import { openAIErrorObject } from '../shared/render-openai-error.ts';
import { SSE_COMMENT_PING, sseEvent } from '../shared/sse.ts';
import { messageItem, outputTextPart, reasoningItem, toolCallItem } from './response-items.ts';
import { buildResponseObject, type ResponseState, statusForFinish } from './response-object.ts';
import type { ResponsesRenderContext } from './responses-render-context.ts';

interface OpenText {
  kind: 'message' | 'reasoning';
  id: string;
  outputIndex: number;
  text: string;
  /** Whether the content part / summary part has been announced yet. */
  partOpen: boolean;
}

interface OpenToolCall {
  id: string;
  outputIndex: number;
  callId: string;
  name: string;
  kind: 'function' | 'custom';
  arguments: string;
}

/**
 * Renders canonical events as Responses API SSE events (`event:` line + `data:` with `type` and
 * `sequence_number`, counted from 0).
 *
 * Items: text and reasoning each open one item that stays open until another kind of output
 * arrives; tool calls open their own item, closed by `tool-call-end` (or at the end). Every item
 * gets `output_item.added` … `output_item.done` with the full item, as Codex requires.
 * End: always `response.completed`, whose response has status `incomplete` (with
 * `incomplete_details`) for a length / content-filter stop. The API sends `response.incomplete`
 * there, but the openai SDK's `stream()` helper only takes the final snapshot from
 * `response.completed`, and Codex and the AI SDK read both alike. Failure: an `error` event that carries both the documented flat fields and a
 * nested `error` object — the nested key is what makes the openai SDKs raise APIError — then
 * `response.failed`, the terminal event Codex and the AI SDK read.
 */
export class ResponsesStreamRenderer {
  private readonly ctx: ResponsesRenderContext;
  private readonly newId: IdGenerator;
  private sequence = 0;
  private started = false;
  private ended = false;
  private current: OpenText | undefined;
  private readonly toolCalls = new Map<string, OpenToolCall>();
  private readonly output: Record<string, unknown>[] = [];
  private sawToolCall = false;
  private usage: Usage | undefined;
  private final: Record<string, unknown> | undefined;

  constructor(ctx: ResponsesRenderContext) {
    this.ctx = ctx;
    this.newId = ctx.newId ?? generateId;
  }

  /** `response.created` and `response.in_progress`; must precede everything else. */
  start(): string[] {
    if (this.started) return [];
    this.started = true;
    const response = buildResponseObject(this.ctx, { status: 'in_progress', output: [] });
    return [this.emit('response.created', { response }), this.emit('response.in_progress', { response })];
  }

  push(event: ChatEvent): string[] {
    if (this.ended) return [];
    const frames = this.start();
    switch (event.type) {
      case 'text-delta':
        if (event.text !== '') frames.push(...this.textDelta('message', event.text));
        break;
      case 'reasoning-delta':
        if (event.text !== '') frames.push(...this.textDelta('reasoning', event.text));
        break;
      case 'reasoning-end':
        if (this.current?.kind !== 'reasoning')
          frames.push(...this.closeCurrent(), ...this.open('reasoning'));
        frames.push(...this.closeCurrent(event.signature));
        break;
      case 'tool-call-start':
        frames.push(...this.closeCurrent(), this.openToolCall(event.id, event.name, event.kind));
        break;
      case 'tool-call-delta':
        frames.push(...this.toolCallDelta(event.id, event.argumentsDelta));
        break;
      case 'tool-call-end':
        frames.push(...this.closeToolCall(event.id));
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'finish': {
        frames.push(...this.closeAll());
        this.ended = true;
        const { status, incompleteReason } = statusForFinish(
          effectiveFinishReason(event.reason, this.sawToolCall),
        );
        const state: ResponseState = { status, output: this.output, usage: this.finalUsage() };
        if (incompleteReason !== undefined) state.incompleteReason = incompleteReason;
        this.final = buildResponseObject(this.ctx, state);
        frames.push(this.emit('response.completed', { response: this.final }));
        break;
      }
      case 'error': {
        this.ended = true;
        const error = openAIErrorObject(event.error);
        frames.push(
          this.emit('error', { code: error.code, message: error.message, param: error.param, error }),
          this.emit('response.failed', {
            response: buildResponseObject(this.ctx, {
              status: 'failed',
              // Items still open when the failure hit never got their done event; leave them out.
              output: this.output.filter((item) => 'type' in item),
              usage: this.finalUsage(),
              error: { code: error.code ?? error.type, message: error.message },
            }),
          }),
        );
        break;
      }
    }
    return frames;
  }

  /** The response object `response.completed` carried; undefined before the end or after a failure. */
  result(): Record<string, unknown> | undefined {
    return this.final;
  }

  /** Keep-alive during silence: an SSE comment, which no client parses as an event. */
  ping(): string {
    return SSE_COMMENT_PING;
  }

  private emit(type: string, fields: Record<string, unknown>): string {
    return sseEvent(type, { type, ...fields, sequence_number: this.sequence++ });
  }

  private finalUsage(): Usage {
    return this.usage ?? { inputTokens: this.ctx.inputTokens, outputTokens: 0, estimated: true };
  }

  private open(kind: OpenText['kind']): string[] {
    const item: OpenText = {
      kind,
      id: this.newId(kind === 'message' ? 'msg_' : 'rs_'),
      outputIndex: this.output.length,
      text: '',
      partOpen: false,
    };
    this.current = item;
    // Reserve the slot so later items get the next output_index.
    this.output.push({});
    const added =
      kind === 'message' ? messageItem(item.id, undefined, 'in_progress') : reasoningItem(item.id, undefined);
    return [this.emit('response.output_item.added', { output_index: item.outputIndex, item: added })];
  }

  private textDelta(kind: OpenText['kind'], delta: string): string[] {
    const frames: string[] = [];
    if (this.current?.kind !== kind) frames.push(...this.closeCurrent(), ...this.open(kind));
    const item = this.current!;
    const where = { item_id: item.id, output_index: item.outputIndex };
    if (!item.partOpen) {
      item.partOpen = true;
      frames.push(
        kind === 'message'
          ? this.emit('response.content_part.added', { ...where, content_index: 0, part: outputTextPart('') })
          : this.emit('response.reasoning_summary_part.added', {
              ...where,
              summary_index: 0,
              part: { type: 'summary_text', text: '' },
            }),
      );
    }
    item.text += delta;
    frames.push(
      kind === 'message'
        ? this.emit('response.output_text.delta', { ...where, content_index: 0, delta, logprobs: [] })
        : this.emit('response.reasoning_summary_text.delta', { ...where, summary_index: 0, delta }),
    );
    return frames;
  }

  private closeCurrent(signature?: string): string[] {
    const item = this.current;
    if (!item) return [];
    this.current = undefined;
    const frames: string[] = [];
    const where = { item_id: item.id, output_index: item.outputIndex };
    let done: Record<string, unknown>;
    if (item.kind === 'message') {
      if (item.partOpen) {
        frames.push(
          this.emit('response.output_text.done', {
            ...where,
            content_index: 0,
            text: item.text,
            logprobs: [],
          }),
          this.emit('response.content_part.done', {
            ...where,
            content_index: 0,
            part: outputTextPart(item.text),
          }),
        );
      }
      done = messageItem(item.id, item.partOpen ? item.text : undefined, 'completed');
    } else {
      if (item.partOpen) {
        frames.push(
          this.emit('response.reasoning_summary_text.done', { ...where, summary_index: 0, text: item.text }),
          this.emit('response.reasoning_summary_part.done', {
            ...where,
            summary_index: 0,
            part: { type: 'summary_text', text: item.text },
          }),
        );
      }
      done = reasoningItem(item.id, item.partOpen ? item.text : undefined, signature);
    }
    this.output[item.outputIndex] = done;
    frames.push(this.emit('response.output_item.done', { output_index: item.outputIndex, item: done }));
    return frames;
  }

  private openToolCall(callId: string, name: string, kind: 'function' | 'custom'): string {
    this.sawToolCall = true;
    const call: OpenToolCall = {
      id: this.newId(kind === 'custom' ? 'ctc_' : 'fc_'),
      outputIndex: this.output.length,
      callId,
      name,
      kind,
      arguments: '',
    };
    this.toolCalls.set(callId, call);
    this.output.push({});
    return this.emit('response.output_item.added', {
      output_index: call.outputIndex,
      item: toolCallItem(call.id, call, 'in_progress'),
    });
  }

  private toolCallDelta(callId: string, delta: string): string[] {
    const call = this.toolCalls.get(callId);
    if (!call || delta === '') return [];
    call.arguments += delta;
    const type =
      call.kind === 'custom'
        ? 'response.custom_tool_call_input.delta'
        : 'response.function_call_arguments.delta';
    return [this.emit(type, { item_id: call.id, output_index: call.outputIndex, delta })];
  }

  private closeToolCall(callId: string): string[] {
    const call = this.toolCalls.get(callId);
    if (!call) return [];
    this.toolCalls.delete(callId);
    const where = { item_id: call.id, output_index: call.outputIndex };
    const done = toolCallItem(call.id, call, 'completed');
    this.output[call.outputIndex] = done;
    return [
      call.kind === 'custom'
        ? this.emit('response.custom_tool_call_input.done', { ...where, input: call.arguments })
        : this.emit('response.function_call_arguments.done', {
            ...where,
            name: call.name,
            arguments: call.arguments,
          }),
      this.emit('response.output_item.done', { output_index: call.outputIndex, item: done }),
    ];
  }

  private closeAll(): string[] {
    const frames = this.closeCurrent();
    for (const callId of [...this.toolCalls.keys()]) frames.push(...this.closeToolCall(callId));
    return frames;
  }
}
