import { GatewayError } from '../../core/errors.ts';
import { CumulativeText } from '../kit/cumulative-to-delta.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { mapQwenCode } from './map-qwen-error.ts';
import { QwenChunk } from './qwen-wire.ts';

export interface QwenChunkResult {
  events: SiteEvent[];
  /** `response.created` named this reply: the parent of the next turn in the chat. */
  responseId?: string;
  done: boolean;
}

/**
 * Qwen Chat SSE payloads → SiteEvents. Phases: `think` is reasoning, `answer` (or no phase) is the
 * reply, `thinking_summary` carries a reasoning summary as a cumulative list in
 * `extra.summary_thought.content`, other phases (image_gen, web search cards) are passed over.
 *
 * Deltas vs snapshots: with `incremental_output: true` (the default request) `content` is a delta;
 * without it every frame repeats the phase's text so far. Both become deltas here, and the summary
 * always goes through the snapshot normaliser since it is cumulative either way.
 * The reply ends with a frame whose status is `finished` in the answer phase.
 */
export class QwenChunkTranslator {
  readonly #incremental: boolean;
  readonly #snapshots = new Map<string, CumulativeText>();
  #done = false;
  #sawAnswer = false;
  #sawThink = false;

  constructor(options: { incremental: boolean }) {
    this.#incremental = options.incremental;
  }

  push(payload: unknown, chatId?: string): QwenChunkResult {
    if (this.#done) return { events: [], done: true };
    const parsed = QwenChunk.safeParse(payload);
    if (!parsed.success) return { events: [], done: false };
    const chunk = parsed.data;
    if (chunk.error) {
      throw mapQwenCode(chunk.error.code, chunk.error.details, { status: 200, action: 'answer', chatId });
    }
    const result: QwenChunkResult = { events: [], done: false };
    const responseId = chunk['response.created']?.response_id;
    if (responseId) result.responseId = responseId;
    const delta = chunk.choices?.[0]?.delta;
    if (!delta) return result;
    const phase = delta.phase ?? 'answer';
    const content = delta.content ?? '';
    if (phase === 'think') {
      this.#sawThink = true;
      const text = this.#text('think', content);
      if (text) result.events.push({ type: 'reasoning', delta: text });
    } else if (phase === 'thinking_summary') {
      // Only when no raw thinking streamed: the summary restates it.
      const summary = (delta.extra?.summary_thought?.content ?? []).join('\n');
      const text = this.#snapshot('summary').next(summary);
      if (text && !this.#sawThink) {
        result.events.push({ type: 'reasoning', delta: text });
      }
    } else if (phase === 'answer') {
      this.#sawAnswer = true;
      const text = this.#text('answer', content);
      if (text) result.events.push({ type: 'text', delta: text });
      if (delta.status === 'finished') {
        this.#done = true;
        result.done = true;
        const reason = chunk.choices?.[0]?.finish_reason === 'length' ? 'length' : 'stop';
        result.events.push({ type: 'finish', reason });
      }
    }
    return result;
  }

  /**
   * The stream closed. The documented end is an answer frame with status `finished`; a stream that
   * delivered an answer and then simply closed is accepted as finished too (Chat2API treats the
   * close as the end), one that never answered is an error.
   */
  end(): SiteEvent[] {
    if (this.#done) return [];
    this.#done = true;
    if (this.#sawAnswer) return [{ type: 'finish', reason: 'stop' }];
    throw new GatewayError('upstream', 'Qwen Chat closed the stream without an answer.');
  }

  #text(phase: string, content: string): string {
    if (content === '') return '';
    if (this.#incremental) return content;
    return this.#snapshot(phase).next(content);
  }

  #snapshot(phase: string): CumulativeText {
    let text = this.#snapshots.get(phase);
    if (!text) {
      text = new CumulativeText();
      this.#snapshots.set(phase, text);
    }
    return text;
  }
}
