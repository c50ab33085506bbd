/**
 * Turns a byte stream of newline-delimited JSON into values as each line completes. A line split
 * across reads waits for its end; blank and whitespace-only lines (chat-ui pads its stream with
 * runs of spaces so browsers flush it) are skipped, and so are lines that are not JSON.
 */
export async function* readJsonLines(body: AsyncIterable<Uint8Array>): AsyncIterable<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const value = parseLine(line);
      if (value !== undefined) yield value;
      newline = buffer.indexOf('\n');
    }
  }
  buffer += decoder.decode();
  const last = parseLine(buffer);
  if (last !== undefined) yield last;
}

function parseLine(line: string): unknown {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}
