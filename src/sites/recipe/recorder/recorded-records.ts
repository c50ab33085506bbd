import { type StreamRecord, toRecord } from '../stream-records.ts';
import type { RecordedExchange } from './recording.ts';

export type RecordedFormat = 'sse' | 'ndjson' | 'json';

/** How a recorded response body is cut into records, judged by its type and first bytes. */
export function formatOf(exchange: RecordedExchange): RecordedFormat {
  const type = exchange.responseHeaders?.['content-type'] ?? '';
  const body = exchange.responseBody ?? '';
  if (/event-stream/i.test(type) || /^(event|data|id):/m.test(body.slice(0, 200))) return 'sse';
  if (/ndjson|jsonl|jsonlines/i.test(type)) return 'ndjson';
  const lines = body.trim().split('\n');
  if (lines.length > 1 && lines.every((line) => /^\s*[[{]/.test(line) || line.trim() === '')) return 'ndjson';
  return 'json';
}

/** The records of a complete recorded body (the same cutting the live readers do, all at once). */
export function recordsOf(body: string, format: RecordedFormat): StreamRecord[] {
  if (format === 'json') return [toRecord(body)];
  if (format === 'ndjson') {
    return body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => toRecord(line));
  }
  const records: StreamRecord[] = [];
  for (const block of body.replace(/\r\n/g, '\n').split(/\n\n+/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) records.push(toRecord(data.join('\n'), event));
  }
  return records;
}
