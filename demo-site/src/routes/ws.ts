import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { readCookie, SESSION_COOKIE } from '../auth/cookies.ts';
import { pathOf, sessionError } from '../auth/guard.ts';
import type { Session } from '../auth/sessions.ts';
import type { SiteContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import { toWsFrame } from '../generation/frames.ts';
import { challengeError } from './interstitials.ts';

const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), messageId: z.string().min(1) }),
  z.object({ type: z.literal('unsubscribe'), messageId: z.string().min(1) }),
]);

const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nconnection: close\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export interface WebSocketEndpoint {
  close(): void;
}

/** Transport 2: `GET /api/ws`. Clients subscribe to message ids and get replay + live frames. */
export function attachWebSocket(server: Server, ctx: SiteContext): WebSocketEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request.url ?? '') !== '/api/ws')
      return refuseUpgrade(socket, 404, 'not_found', 'No such endpoint.');
    if (ctx.faults.captcha)
      return refuseUpgrade(socket, 403, 'challenge', 'Complete the challenge in a browser.');
    const lookup = ctx.sessions.lookup(readCookie(request.headers.cookie, SESSION_COOKIE));
    if (lookup.status !== 'valid') {
      const error = sessionError(lookup);
      return refuseUpgrade(socket, error.status, error.code, error.message);
    }
    const { username } = lookup.session;
    const refusal = ctx.accountFaults.captcha(username)
      ? challengeError()
      : ctx.accountFaults.bannedError(username);
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.code, refusal.message);
    ctx.stats.countRequest('GET /api/ws');
    wss.handleUpgrade(request, socket, head, (ws) => serveConnection(ws, lookup.session, ctx));
  };
  server.on('upgrade', onUpgrade);

  return {
    close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function serveConnection(ws: WebSocket, session: Session, ctx: SiteContext): void {
  const subscriptions = new Map<string, () => void>();
  const send = (payload: string) => {
    if (ws.readyState === ws.OPEN) ws.send(payload);
  };
  const sendError = (code: string, message: string, messageId?: string) =>
    send(JSON.stringify({ type: 'error', ...(messageId ? { messageId } : {}), code, message }));

  ctx.openSockets.add(ws);
  ws.on('error', (error) => ctx.log.debug({ err: error }, 'websocket error'));
  ws.on('close', () => {
    ctx.openSockets.delete(ws);
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    let parsed: unknown;
    try {
      parsed = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      parsed = undefined;
    }
    const frame = ClientFrame.safeParse(parsed);
    if (!frame.success) return sendError('bad_request', 'Expected {"type":"subscribe","messageId":"…"}.');
    const { messageId } = frame.data;
    if (frame.data.type === 'unsubscribe') {
      subscriptions.get(messageId)?.();
      subscriptions.delete(messageId);
      return;
    }
    const lookup = ctx.sessions.lookup(session.id);
    if (lookup.status !== 'valid') {
      const error = sessionError(lookup);
      sendError(error.code, error.message);
      return ws.close(4401, error.code);
    }
    if (subscriptions.has(messageId)) return;
    const generation = ctx.generations.get(session.username, messageId);
    if (!generation)
      return sendError('message_not_found', `No generation for message ${messageId}.`, messageId);
    const unsubscribe = generation.subscribe({
      frame: (streamFrame) => send(toWsFrame(messageId, streamFrame)),
      disconnect: () => ws.terminate(),
    });
    subscriptions.set(messageId, unsubscribe);
  });
}
