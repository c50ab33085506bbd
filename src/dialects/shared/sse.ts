/** Server-sent event framing shared by every dialect. Each function returns one complete frame. */

/** A frame with only a `data:` line (OpenAI Chat Completions). */
export function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** A frame with an `event:` line (Anthropic, OpenAI Responses); some clients drop frames without one. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The Chat Completions end-of-stream sentinel. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** A comment frame: keeps proxies and idle timers awake, ignored by every SSE parser. */
export const SSE_COMMENT_PING = ': ping\n\n';
