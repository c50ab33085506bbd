import type { FinishReason } from '../reply-script.ts';

/** One streamed event; SSE sends it as `event: <type>` + `data: <rest>`, WebSocket as one JSON frame. */
export type StreamFrame =
  | { type: 'meta'; threadId: string; messageId: string; turn: number }
  | { type: 'thinking'; delta: string }
  | { type: 'text'; delta: string }
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  | {
      type: 'done';
      finishReason: FinishReason;
      usage: { inputChars: number; outputChars: number };
      stopped?: true;
    }
  | { type: 'error'; code: string; message: string };

export function toSseEvent(frame: StreamFrame): string {
  const { type, ...data } = frame;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function toWsFrame(messageId: string, frame: StreamFrame): string {
  const { type, ...data } = frame;
  return JSON.stringify({ type, messageId, ...data });
}
