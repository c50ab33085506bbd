import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Turns a byte stream into SSE messages as they complete; partial frames wait for their end. */
export async function* readServerSentEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncIterable<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length > 0) yield queue.shift()!;
  }
  parser.feed(decoder.decode());
  while (queue.length > 0) yield queue.shift()!;
}
