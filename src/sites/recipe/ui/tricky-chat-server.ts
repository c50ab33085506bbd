import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Test support: serves __fixtures__/tricky-chat.html and its two endpoints on loopback. */
export interface TrickyChatServer {
  url: string;
  /** Title requests received (the page sends one after its first reply). */
  titles: number;
  /** Replies whose connection the page dropped before the end (an abort). */
  aborted: number;
  close(): Promise<void>;
}

const WORD_DELAY_MS = 20;

/** The reply script: cumulative text, cut so markdown markers open in one chunk and close later. */
function replyChunks(model: string, text: string, files: string[]): string[] {
  const name = model === 'model-b' ? 'Model B' : 'Model A';
  const attached = files.length > 0 ? ` Files: ${files.join(', ')}.` : '';
  if (/reply with the word (\w+)/i.test(text)) {
    const word = /reply with the word (\w+)/i.exec(text)?.[1] ?? '';
    const half = Math.ceil(word.length / 2);
    return [`${name} says:${attached}`, '\n\n', `**${word.slice(0, half)}`, `${word.slice(half)}**`];
  }
  if (/long story/i.test(text)) {
    const words =
      'Once upon a time there was a **very patient** gateway that read replies from a page one word at a time and never lost a single one of them'.split(
        ' ',
      );
    return words.map((word, index) => (index === 0 ? word : ` ${word}`));
  }
  return [`${name} heard: ${text}.${attached}`];
}

export async function startTrickyChatServer(): Promise<TrickyChatServer> {
  const page = await readFile(new URL('__fixtures__/tricky-chat.html', import.meta.url), 'utf8');
  const state = { titles: 0, aborted: 0 };
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    if (request.method === 'GET' && (url === '/' || url.startsWith('/c/'))) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      if (request.method === 'POST' && url === '/x/title') {
        state.titles++;
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ title: body.slice(0, 30) }));
        return;
      }
      if (request.method === 'POST' && url === '/x/complete') {
        const { model, text, files } = JSON.parse(body) as { model: string; text: string; files: string[] };
        const chunks = replyChunks(model, text, files);
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        let sent = '';
        let index = 0;
        const timer = setInterval(() => {
          const chunk = chunks[index++];
          if (chunk === undefined) {
            clearInterval(timer);
            response.end();
            return;
          }
          sent += chunk;
          response.write(`${JSON.stringify({ t: sent })}\n`);
        }, WORD_DELAY_MS);
        response.on('close', () => {
          if (index <= chunks.length) state.aborted++;
          clearInterval(timer);
        });
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get titles() {
      return state.titles;
    },
    get aborted() {
      return state.aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
