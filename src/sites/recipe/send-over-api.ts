import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../core/errors.ts';
import type { SiteEvent, SiteTurn } from '../../site-contract/site.ts';
import { resolveUrl } from './build-request.ts';
import { conversationVars, type InlineFiles } from './inline-files.ts';
import { firstMatch } from './json-path.ts';
import type { LocalMessage, LocalThreads } from './local-threads.ts';
import { errorFromStatus } from './map-recipe-error.ts';
import { matchAll } from './match-condition.ts';
import type { RecipeApi } from './recipe-schema.ts';
import type { RecipeSession } from './recipe-session.ts';
import { StreamExtractor } from './stream-extractor.ts';
import { ndjsonRecords, type StreamRecord, sseRecords, wholeBodyRecord } from './stream-records.ts';
import { renderJson, renderString } from './template.ts';
import { toWebSocketUrl, WebSocketRecords } from './websocket-records.ts';

type SendOperation = NonNullable<RecipeApi['send']>;

/** The variables one turn adds to the session's. */
export function turnVars(turn: SiteTurn, model: string, inline?: InlineFiles): Record<string, unknown> {
  const conversation = conversationVars(turn, inline);
  return {
    messages: conversation.messages,
    files: conversation.files,
    toolResults: turn.toolResults && turn.toolResults.length > 0 ? turn.toolResults : undefined,
    model,
    text: turn.text,
    threadId: turn.threadId,
    isNewThread: turn.threadId === undefined,
    fileIds:
      turn.attachments.length > 0 ? turn.attachments.map((attachment) => attachment.fileId) : undefined,
    // A system prompt belongs to a new thread only (the site keeps it for the thread's life).
    systemPrompt: turn.threadId === undefined ? turn.systemPrompt : undefined,
    maxTokens: turn.maxOutputTokens,
    temperature: turn.temperature,
    uuid: randomUUID(),
    now: Date.now(),
  };
}

/**
 * One turn through the site's API as the recipe describes it: optional thread creation, the send
 * request, then the reply read from the response body or a WebSocket, until finish. Aborting stops
 * reading (closing the connection) and sends the recipe's stop request when it has one.
 */
export async function* sendOverApi(
  session: RecipeSession,
  send: SendOperation,
  turn: SiteTurn,
  model: string,
  signal: AbortSignal,
  kept: { inline?: InlineFiles | undefined; local?: LocalThreads | undefined } = {},
): AsyncIterable<SiteEvent> {
  const api = session.api;
  const vars: Record<string, unknown> = turnVars(turn, model, kept.inline);
  const local = send.history === 'local' ? kept.local : undefined;
  let localTurn: { threadId: string; sent: LocalMessage[]; reply: string } | undefined;
  if (local) {
    const threadId = turn.threadId ?? local.newId();
    const sent = vars.messages as LocalMessage[];
    vars.messages = [...(turn.threadId ? local.history(turn.threadId) : []), ...sent];
    vars.threadId = threadId;
    localTurn = { threadId, sent, reply: '' };
  }
  const keepTurn = () => {
    if (local && localTurn) local.append(localTurn.threadId, localTurn.sent, localTurn.reply);
  };
  const context = { action: 'send', ...(turn.threadId ? { threadId: turn.threadId } : {}) };

  if (vars.threadId === undefined && send.createThread) {
    const created = await session.request(send.createThread.request, vars, signal);
    const text = await created.text();
    if (!send.createThread.ok.includes(created.status))
      throw errorFromStatus(api.errors, created.status, text, { action: 'create a thread' });
    const threadId = firstMatch(send.createThread.threadId, parseJson(text, 'create a thread'));
    if (typeof threadId !== 'string' && typeof threadId !== 'number')
      throw new GatewayError('upstream', 'The site did not return the new thread id.');
    vars.threadId = String(threadId);
  }

  const stream = send.stream;
  let socket: WebSocketRecords | undefined;
  const openSocket = async () => {
    const config = stream.websocket;
    if (!config) throw new GatewayError('internal', 'websocket format without its section');
    const url = toWebSocketUrl(resolveUrl(renderString(config.url, session.vars(vars)), session.baseUrl));
    socket = new WebSocketRecords({
      url,
      cookies: await session.transport.cookies(session.baseUrl),
      proxy: session.proxy,
      signal,
    });
    return socket;
  };
  if (stream.format === 'websocket' && stream.websocket?.openBeforeSend) await openSocket();

  let stopRequested = false;
  const requestStop = () => {
    if (!send.stop || stopRequested) return;
    stopRequested = true;
    // The signal is already aborted; the stop request gets its own short deadline.
    void session
      .request(send.stop.request, vars, AbortSignal.timeout(5000))
      .then((response) => response.text())
      .catch(() => undefined);
  };

  try {
    const response = await session.request(send.request, vars, signal);
    if (!send.ok.includes(response.status)) {
      const text = await response.text().catch(() => '');
      throw errorFromStatus(api.errors, response.status, text, {
        ...context,
        retryAfter: response.headers.get('retry-after'),
      });
    }
    let records: AsyncIterable<StreamRecord>;
    if (stream.format === 'websocket') {
      if (Object.keys(send.capture).length > 0) {
        const data = parseJson(await response.text(), 'send');
        for (const [name, path] of Object.entries(send.capture)) {
          const value = firstMatch(path, data);
          if (value !== undefined) vars[name] = typeof value === 'number' ? String(value) : value;
        }
      } else {
        await response.text().catch(() => undefined);
      }
      const records$ = socket ?? (await openSocket());
      const frames = (stream.websocket?.send ?? []).map((frame) => renderJson(frame, session.vars(vars)));
      await records$.send(frames);
      records = records$;
    } else if (stream.format === 'sse') {
      records = sseRecords(response.body);
    } else if (stream.format === 'ndjson') {
      records = ndjsonRecords(response.body);
    } else {
      records = wholeBodyRecord(response.body);
    }

    const knownThreadId = typeof vars.threadId === 'string' ? vars.threadId : undefined;
    const extractor = new StreamExtractor({
      stream,
      errors: api.errors,
      vars: session.vars(vars),
      errorContext: context,
      ...(knownThreadId ? { knownThreadId } : {}),
    });
    const onAbort = () => {
      if (extractor.messageId && vars.messageId === undefined) vars.messageId = extractor.messageId;
      requestStop();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const record of records) {
        if (stream.websocket?.only && !matchAll(stream.websocket.only, record, session.vars(vars))) continue;
        const events = extractor.push(record);
        if (extractor.messageId && vars.messageId === undefined) vars.messageId = extractor.messageId;
        for (const event of events) {
          if (localTurn && event.type === 'text') localTurn.reply += event.delta;
          yield event;
        }
        if (extractor.finished) {
          keepTurn();
          return;
        }
      }
      signal.throwIfAborted();
      for (const event of extractor.end()) {
        if (localTurn && event.type === 'text') localTurn.reply += event.delta;
        yield event;
      }
      keepTurn();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  } catch (error) {
    if (signal.aborted) {
      // The caller saw the thread; keep the turn with the reply as far as it came (as sites do).
      keepTurn();
      requestStop();
      throw signal.reason;
    }
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('upstream', 'The connection to the site broke during the reply.', {
      cause: error,
    });
  } finally {
    socket?.close();
  }
}

function parseJson(text: string, action: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError('upstream', `The site's answer to ${action} was not JSON.`);
  }
}
