import type { ChatEvent, Usage } from '../../core/chat-event.ts';
import { effectiveFinishReason } from '../shared/collect-reply.ts';
import { sseEvent } from '../shared/sse.ts';
import { toAnthropicUsage } from './anthropic-usage.ts';
import { mapStopReason } from './map-stop-reason.ts';
import type { MessagesRenderContext } from './messages-render-context.ts';
import { anthropicErrorBody } from './render-anthropic-error.ts';

type OpenBlock =
  | { kind: 'text' | 'thinking'; index: number }
  | { kind: 'tool_use'; index: number; id: string };

/**
 * Renders canonical events as Anthropic Messages SSE events; every frame has its `event:` line
 * (the SDK drops frames without one).
 *
 * Blocks are strictly sequential: a new block closes the open one. Thinking closes with a
 * `signature_delta` carrying the `reasoning-end` signature. Usage goes in `message_start` (the
 * estimated prompt) and `message_delta` (the final counts). A failure is an `error` event, which
 * the SDK raises as APIError; no `message_stop` follows it, as with the API.
 */
export class MessagesStreamRenderer {
  private readonly ctx: MessagesRenderContext;
  private started = false;
  private ended = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private sawToolUse = false;
  private usage: Usage | undefined;

  constructor(ctx: MessagesRenderContext) {
    this.ctx = ctx;
  }

  /** `message_start`, with the estimated input tokens; must precede everything else. */
  start(): string[] {
    if (this.started) return [];
    this.started = true;
    return [
      sseEvent('message_start', {
        type: 'message_start',
        message: {
          id: this.ctx.id,
          type: 'message',
          role: 'assistant',
          model: this.ctx.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // The API reports a token or so of output here already; clients read the final count later.
          usage: toAnthropicUsage({ inputTokens: this.ctx.inputTokens, outputTokens: 1, estimated: true }),
        },
      }),
    ];
  }

  push(event: ChatEvent): string[] {
    if (this.ended) return [];
    const frames = this.start();
    switch (event.type) {
      case 'text-delta':
        if (event.text === '') break;
        if (this.open?.kind !== 'text') frames.push(...this.openBlock({ type: 'text', text: '' }));
        frames.push(this.delta({ type: 'text_delta', text: event.text }));
        break;
      case 'reasoning-delta':
        if (event.text === '') break;
        if (this.open?.kind !== 'thinking')
          frames.push(...this.openBlock({ type: 'thinking', thinking: '', signature: '' }));
        frames.push(this.delta({ type: 'thinking_delta', thinking: event.text }));
        break;
      case 'reasoning-end':
        if (this.open?.kind !== 'thinking')
          frames.push(...this.openBlock({ type: 'thinking', thinking: '', signature: '' }));
        frames.push(
          this.delta({ type: 'signature_delta', signature: event.signature }),
          ...this.closeBlock(),
        );
        break;
      case 'tool-call-start':
        this.sawToolUse = true;
        frames.push(
          ...this.openBlock({ type: 'tool_use', id: event.id, name: event.name, input: {} }, event.id),
        );
        break;
      case 'tool-call-delta':
        // Blocks cannot interleave in this wire format; a delta for a call that is not open is dropped.
        if (this.open?.kind === 'tool_use' && this.open.id === event.id && event.argumentsDelta !== '') {
          frames.push(this.delta({ type: 'input_json_delta', partial_json: event.argumentsDelta }));
        }
        break;
      case 'tool-call-end':
        if (this.open?.kind === 'tool_use' && this.open.id === event.id) frames.push(...this.closeBlock());
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'finish': {
        frames.push(...this.closeBlock());
        this.ended = true;
        const reason = effectiveFinishReason(event.reason, this.sawToolUse);
        const usage = this.usage ?? { inputTokens: this.ctx.inputTokens, outputTokens: 0, estimated: true };
        frames.push(
          sseEvent('message_delta', {
            type: 'message_delta',
            delta: {
              stop_reason: mapStopReason(reason),
              stop_sequence: reason === 'stop-sequence' ? (event.stopSequence ?? null) : null,
            },
            usage: toAnthropicUsage(usage),
          }),
          sseEvent('message_stop', { type: 'message_stop' }),
        );
        break;
      }
      case 'error':
        this.ended = true;
        frames.push(sseEvent('error', anthropicErrorBody(event.error)));
        break;
    }
    return frames;
  }

  /** Keep-alive during silence; the SDK skips `ping` events. */
  ping(): string {
    return sseEvent('ping', { type: 'ping' });
  }

  private openBlock(contentBlock: Record<string, unknown>, toolId?: string): string[] {
    const frames = this.closeBlock();
    const index = this.nextIndex++;
    const kind = contentBlock.type as OpenBlock['kind'];
    this.open = kind === 'tool_use' ? { kind, index, id: toolId ?? '' } : { kind, index };
    frames.push(
      sseEvent('content_block_start', { type: 'content_block_start', index, content_block: contentBlock }),
    );
    return frames;
  }

  private delta(delta: Record<string, unknown>): string {
    return sseEvent('content_block_delta', {
      type: 'content_block_delta',
      index: this.open?.index ?? 0,
      delta,
    });
  }

  private closeBlock(): string[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [sseEvent('content_block_stop', { type: 'content_block_stop', index })];
  }
}
