import type { Reply } from '../reply-script.ts';
import { newId } from '../store/ids.ts';
import type { StoredMessage } from '../store/threads.ts';
import type { StreamFrame } from './frames.ts';
import { sleep, yieldToLoop } from './sleep.ts';

/** A transport's end of a generation: an SSE response or a WebSocket subscription. */
export interface FrameSink {
  frame(frame: StreamFrame): void;
  /** The midStreamDisconnect fault: drop the connection with no final frame. */
  disconnect(): void;
}

export type StopReason = 'stop' | 'client_abort' | 'shutdown';
export type GenerationEnd = 'complete' | StopReason | 'disconnected';

export interface GenerationPlan {
  owner: string;
  threadId: string;
  turn: number;
  /** The assistant message this generation fills in (status `streaming` until the end). */
  message: StoredMessage;
  reply: Reply;
  inputChars: number;
  wordDelayMs: number;
  slowFirstTokenMs: number;
  /** A stall of this many seconds after STALL_AFTER_CHUNKS text chunks; 0 = none. */
  stallSeconds: number;
  /** Drop every connection after this many text chunks (midStreamDisconnect fault). */
  disconnectAfterChunks?: number;
}

const STALL_AFTER_CHUNKS = 2;

/**
 * One assistant reply being produced. Frames are buffered so a subscriber arriving late gets
 * everything already sent, then the live frames.
 */
export class Generation {
  readonly messageId: string;
  readonly owner: string;
  readonly threadId: string;
  readonly turn: number;
  readonly frames: StreamFrame[] = [];
  readonly ended: Promise<GenerationEnd>;
  private readonly sinks = new Set<FrameSink>();
  private readonly controller = new AbortController();
  private stopReason: StopReason | undefined;
  private endedWith: GenerationEnd | undefined;
  private resolveEnded: (end: GenerationEnd) => void = () => {};
  private outputChars = 0;

  constructor(private readonly plan: GenerationPlan) {
    this.messageId = plan.message.id;
    this.owner = plan.owner;
    this.threadId = plan.threadId;
    this.turn = plan.turn;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  get finished(): boolean {
    return this.endedWith !== undefined;
  }

  /** Replays the buffer into `sink`, then keeps it subscribed until the end. Returns an unsubscribe. */
  subscribe(sink: FrameSink): () => void {
    for (const frame of this.frames) sink.frame(frame);
    if (this.finished) return () => {};
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** False when the generation had already ended. */
  stop(reason: StopReason): boolean {
    if (this.finished || this.stopReason) return false;
    this.stopReason = reason;
    this.controller.abort();
    return true;
  }

  async run(): Promise<GenerationEnd> {
    const { plan } = this;
    const signal = this.controller.signal;
    this.emit({ type: 'meta', threadId: plan.threadId, messageId: this.messageId, turn: plan.turn });
    if (plan.slowFirstTokenMs > 0 && !(await sleep(plan.slowFirstTokenMs, signal))) return this.endStopped();
    for (const delta of plan.reply.thinking) {
      plan.message.thinking = (plan.message.thinking ?? '') + delta;
      this.emit({ type: 'thinking', delta });
      if (!(await this.pace(signal))) return this.endStopped();
    }
    let index = 0;
    for (const delta of plan.reply.text) {
      if (index === plan.disconnectAfterChunks) return this.endDisconnected();
      if (index === STALL_AFTER_CHUNKS && plan.stallSeconds > 0) {
        if (!(await sleep(plan.stallSeconds * 1000, signal))) return this.endStopped();
      }
      plan.message.text += delta;
      this.outputChars += delta.length;
      this.emit({ type: 'text', delta });
      index++;
      if (!(await this.pace(signal))) return this.endStopped();
    }
    for (const call of plan.reply.toolCalls) {
      const toolCall = { id: newId('call'), name: call.name, arguments: call.arguments };
      plan.message.toolCalls = [...(plan.message.toolCalls ?? []), toolCall];
      this.emit({ type: 'tool_call', ...toolCall });
    }
    plan.message.status = 'complete';
    this.emit({ type: 'done', finishReason: plan.reply.finishReason, usage: this.usage() });
    return this.end('complete');
  }

  private pace(signal: AbortSignal): Promise<boolean> {
    return this.plan.wordDelayMs > 0 ? sleep(this.plan.wordDelayMs, signal) : yieldToLoop(signal);
  }

  private usage(): { inputChars: number; outputChars: number } {
    return { inputChars: this.plan.inputChars, outputChars: this.outputChars };
  }

  private emit(frame: StreamFrame): void {
    this.frames.push(frame);
    for (const sink of this.sinks) {
      try {
        sink.frame(frame);
      } catch {
        // A broken connection must not end the generation for everyone else: drop just that sink.
        this.sinks.delete(sink);
      }
    }
  }

  private endStopped(): GenerationEnd {
    this.plan.message.status = 'stopped';
    this.emit({ type: 'done', finishReason: 'stop', usage: this.usage(), stopped: true });
    return this.end(this.stopReason ?? 'stop');
  }

  private endDisconnected(): GenerationEnd {
    this.plan.message.status = 'error';
    for (const sink of this.sinks) sink.disconnect();
    this.sinks.clear();
    // Only late subscribers see this: the live connections were dropped without a word.
    this.frames.push({ type: 'error', code: 'stream_interrupted', message: 'The connection was dropped.' });
    return this.end('disconnected');
  }

  private end(how: GenerationEnd): GenerationEnd {
    this.endedWith = how;
    this.sinks.clear();
    this.resolveEnded(how);
    return how;
  }
}
