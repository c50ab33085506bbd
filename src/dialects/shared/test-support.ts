/** Helpers for the dialect tests only: readable views of SSE frames and canonical event scripts. */
import type { ChatEvent } from '../../core/chat-event.ts';
import { GatewayError } from '../../core/errors.ts';

export interface DecodedFrame {
  event?: string;
  data: unknown;
}

/** Splits frames into `{event, data}` with parsed JSON (or the raw string, e.g. `[DONE]`). */
export function decodeFrames(frames: readonly string[]): DecodedFrame[] {
  return frames.map((frame) => {
    if (!frame.endsWith('\n\n'))
      throw new Error(`frame does not end with a blank line: ${JSON.stringify(frame)}`);
    const out: DecodedFrame = { data: undefined };
    for (const line of frame.slice(0, -2).split('\n')) {
      if (line.startsWith('event: ')) out.event = line.slice(7);
      else if (line.startsWith('data: ')) {
        const raw = line.slice(6);
        out.data = raw === '[DONE]' ? raw : JSON.parse(raw);
      } else if (line.startsWith(':')) out.data = line;
      else throw new Error(`unexpected SSE line: ${line}`);
    }
    return out;
  });
}

export const usage = (inputTokens: number, outputTokens: number): ChatEvent => ({
  type: 'usage',
  usage: { inputTokens, outputTokens, estimated: true },
});

/** Canonical event scripts every dialect renders; the expected wire output lives in each test. */
export const SCRIPTS = {
  plainText: [
    { type: 'text-delta', text: 'Hello' },
    { type: 'text-delta', text: ', world' },
    usage(10, 3),
    { type: 'finish', reason: 'stop' },
  ],
  reasoning: [
    { type: 'reasoning-delta', text: 'Think' },
    { type: 'reasoning-delta', text: 'ing.' },
    { type: 'reasoning-end', signature: 'sig-1' },
    { type: 'text-delta', text: 'Answer' },
    usage(10, 5),
    { type: 'finish', reason: 'stop' },
  ],
  oneToolCall: [
    { type: 'tool-call-start', id: 'call_1', name: 'get_weather', kind: 'function' },
    { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"city":' },
    { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '"Paris"}' },
    { type: 'tool-call-end', id: 'call_1' },
    usage(20, 8),
    { type: 'finish', reason: 'tool-calls' },
  ],
  textThenTwoToolCalls: [
    { type: 'text-delta', text: 'Checking.' },
    { type: 'tool-call-start', id: 'call_a', name: 'a', kind: 'function' },
    { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{}' },
    { type: 'tool-call-end', id: 'call_a' },
    { type: 'tool-call-start', id: 'call_b', name: 'b', kind: 'function' },
    { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"x":1}' },
    { type: 'tool-call-end', id: 'call_b' },
    usage(20, 9),
    { type: 'finish', reason: 'tool-calls' },
  ],
  empty: [usage(4, 0), { type: 'finish', reason: 'stop' }],
  stopSequence: [
    { type: 'text-delta', text: 'one two' },
    usage(5, 2),
    { type: 'finish', reason: 'stop-sequence', stopSequence: 'three' },
  ],
  maxTokens: [{ type: 'text-delta', text: 'cut sh' }, usage(5, 2), { type: 'finish', reason: 'length' }],
  errorMidStream: [
    { type: 'text-delta', text: 'Partial' },
    { type: 'error', error: new GatewayError('upstream', 'The site stopped answering.') },
  ],
} satisfies Record<string, ChatEvent[]>;

/**
 * A `fetch` stand-in for the real SDK clients: answers every call with the given body, so the
 * SDK's own SSE and JSON handling runs on exactly what the renderers produced.
 */
export function fakeFetch(
  body: string | object,
  init: { status?: number; headers?: Record<string, string> } = {},
) {
  const calls: { url: string; body: unknown }[] = [];
  const fetch = async (url: string | URL | Request, request?: RequestInit): Promise<Response> => {
    calls.push({
      url: String(url),
      body: typeof request?.body === 'string' ? JSON.parse(request.body) : undefined,
    });
    const isText = typeof body === 'string';
    return new Response(isText ? body : JSON.stringify(body), {
      status: init.status ?? 200,
      headers: { 'content-type': isText ? 'text/event-stream' : 'application/json', ...init.headers },
    });
  };
  return { fetch, calls };
}
