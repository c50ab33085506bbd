import { readServerSentEvents } from '../../transports/http/read-server-sent-events.ts';

/** One unit of a site's reply stream: an SSE event, an NDJSON line, a WebSocket frame or a whole body. */
export interface StreamRecord {
  /** The SSE event name (`message` when none); undefined for other formats. */
  event?: string;
  /** The text as received. */
  raw: string;
  /** `raw` parsed as JSON, or `raw` itself when it is not JSON. */
  data: unknown;
}

export function toRecord(raw: string, event?: string): StreamRecord {
  return event === undefined ? { raw, data: parseLoose(raw) } : { event, raw, data: parseLoose(raw) };
}

function parseLoose(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed === '') return raw;
  try {
    return JSON.parse(trimmed);
  } catch {
    return raw;
  }
}

export async function* sseRecords(body: AsyncIterable<Uint8Array>): AsyncIterable<StreamRecord> {
  for await (const message of readServerSentEvents(body)) {
    yield toRecord(message.data, message.event ?? 'message');
  }
}

/** One JSON value per line; blank lines are skipped, a last line without a newline still counts. */
export async function* ndjsonRecords(body: AsyncIterable<Uint8Array>): AsyncIterable<StreamRecord> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let cut = buffer.indexOf('\n'); cut !== -1; cut = buffer.indexOf('\n')) {
      const line = buffer.slice(0, cut).replace(/\r$/, '');
      buffer = buffer.slice(cut + 1);
      if (line.trim() !== '') yield toRecord(line);
    }
  }
  buffer += decoder.decode();
  if (buffer.trim() !== '') yield toRecord(buffer);
}

/** The whole body as one record (a site that answers with one JSON). */
export async function* wholeBodyRecord(body: AsyncIterable<Uint8Array>): AsyncIterable<StreamRecord> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  text += decoder.decode();
  yield toRecord(text);
}
