import type { ChatEvent, Usage } from '../../core/chat-event.ts';
import { effectiveFinishReason } from '../shared/collect-reply.ts';
import { openAIErrorObject } from '../shared/render-openai-error.ts';
import { SSE_COMMENT_PING, SSE_DONE, sseData } from '../shared/sse.ts';
import type { ChatCompletionsRenderContext } from './chat-completions-render-context.ts';
import { toChatUsage } from './chat-usage.ts';
import { mapChatFinishReason } from './map-chat-finish-reason.ts';

type Delta = Record<string, unknown>;

/**
 * Renders canonical events as `chat.completion.chunk` SSE frames.
 *
 * States: not started → streaming (role sent) → ended (finish or error; later events are ignored).
 * Reasoning goes out as `delta.reasoning_content`, the de-facto extension (DeepSeek, vLLM, the AI SDK's
 * openai-compatible provider read it); clients that do not know it ignore the field.
 * A mid-stream failure is a `data: {"error": {...}}` frame, which the openai SDKs raise as APIError,
 * followed by `[DONE]` so line-oriented clients still see the stream close.
 */
export class ChatCompletionsStreamRenderer {
  private readonly ctx: ChatCompletionsRenderContext;
  private started = false;
  private ended = false;
  private usage: Usage | undefined;
  /** Tool call id → its `index` in `delta.tool_calls`. */
  private readonly toolIndexes = new Map<string, number>();

  constructor(ctx: ChatCompletionsRenderContext) {
    this.ctx = ctx;
  }

  /** The role chunk; sending it before the site answers gives the client its first byte early. */
  start(): string[] {
    if (this.started) return [];
    this.started = true;
    return [this.chunk({ role: 'assistant', content: '', refusal: null })];
  }

  push(event: ChatEvent): string[] {
    if (this.ended) return [];
    const frames = this.start();
    switch (event.type) {
      case 'text-delta':
        if (event.text !== '') frames.push(this.chunk({ content: event.text }));
        break;
      case 'reasoning-delta':
        if (event.text !== '') frames.push(this.chunk({ reasoning_content: event.text }));
        break;
      case 'reasoning-end':
        break;
      case 'tool-call-start': {
        const index = this.toolIndexes.size;
        this.toolIndexes.set(event.id, index);
        frames.push(
          this.chunk({
            tool_calls: [
              { index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } },
            ],
          }),
        );
        break;
      }
      case 'tool-call-delta': {
        const index = this.toolIndexes.get(event.id);
        if (index !== undefined && event.argumentsDelta !== '') {
          frames.push(this.chunk({ tool_calls: [{ index, function: { arguments: event.argumentsDelta } }] }));
        }
        break;
      }
      case 'tool-call-end':
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'finish': {
        this.ended = true;
        const reason = mapChatFinishReason(effectiveFinishReason(event.reason, this.toolIndexes.size > 0));
        frames.push(this.chunk({}, reason));
        if (this.ctx.includeUsage) frames.push(this.usageChunk());
        frames.push(SSE_DONE);
        break;
      }
      case 'error':
        this.ended = true;
        frames.push(sseData({ error: openAIErrorObject(event.error) }), SSE_DONE);
        break;
    }
    return frames;
  }

  /** Keep-alive during silence: an SSE comment, invisible to every client. */
  ping(): string {
    return SSE_COMMENT_PING;
  }

  private base(): Record<string, unknown> {
    return {
      id: this.ctx.id,
      object: 'chat.completion.chunk',
      created: this.ctx.createdAt,
      model: this.ctx.model,
      system_fingerprint: null,
    };
  }

  private chunk(delta: Delta, finishReason: string | null = null): string {
    const chunk: Record<string, unknown> = {
      ...this.base(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (this.ctx.includeUsage) chunk.usage = null;
    return sseData(chunk);
  }

  private usageChunk(): string {
    const usage = this.usage ?? { inputTokens: this.ctx.inputTokens, outputTokens: 0, estimated: true };
    return sseData({ ...this.base(), choices: [], usage: toChatUsage(usage) });
  }
}
