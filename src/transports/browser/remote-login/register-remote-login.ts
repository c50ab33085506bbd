import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import { presentedKey } from '../../../auth/api-key-registry.ts';
import type { Logger } from '../../../core/logger.ts';
import type { BrowserManager } from '../browser-manager.ts';
import { type ScreencastOptions, ScreencastSession } from './screencast-session.ts';
import { viewerPageHtml } from './viewer-page.ts';
import { ViewerTickets } from './viewer-tickets.ts';

export interface RemoteLoginOptions {
  /** Whether a presented key is an admin key (header `x-api-key`/Bearer, or `?key=` for a browser). */
  isAdminKey: (key: string) => boolean;
  /** Where the viewer lives: `<prefix>/<account>` (page) and `<prefix>/<account>/ws` (stream). */
  prefix?: string;
  /** After the person pressed "done" and the session was saved (e.g. re-check the account's health). */
  onLoggedIn?: (accountId: string) => void | Promise<void>;
  screencast?: Partial<ScreencastOptions>;
  logger: Logger;
}

export interface RemoteLogin {
  /** The live session for an account, once a viewer connected. */
  session(accountId: string): Promise<ScreencastSession> | undefined;
  close(): Promise<void>;
}

const DEFAULT_SCREENCAST: ScreencastOptions = { format: 'jpeg', quality: 70, maxWidth: 1280, maxHeight: 800 };

/**
 * Lets a person log a site account in from anywhere: the gateway serves a viewer page (admin key
 * required) that shows the account's browser page live and forwards their input, for captchas, 2FA
 * and anything else automation should not answer. Pressing "done" saves the session snapshot.
 */
export function registerRemoteLogin(
  app: FastifyInstance,
  manager: BrowserManager,
  options: RemoteLoginOptions,
): RemoteLogin {
  const prefix = (options.prefix ?? '/admin/remote-login').replace(/\/$/, '');
  const screencast = { ...DEFAULT_SCREENCAST, ...options.screencast };
  const tickets = new ViewerTickets();
  const sessions = new Map<string, Promise<ScreencastSession>>();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const socketPath = new RegExp(`^${escapeRegExp(prefix)}/([A-Za-z0-9._-]+)/ws$`);

  const sessionFor = (accountId: string): Promise<ScreencastSession> | undefined => {
    const existing = sessions.get(accountId);
    if (existing) return existing;
    const account = manager.findAccount(accountId);
    if (!account) return undefined;
    const opening = ScreencastSession.open(account, screencast, options.logger, () =>
      sessions.delete(accountId),
    );
    opening.then(
      (session) =>
        session.onSaved(() => {
          void Promise.resolve(options.onLoggedIn?.(accountId)).catch((error: unknown) =>
            options.logger.warn({ account: accountId, err: error }, 'remote login follow-up failed'),
          );
        }),
      () => sessions.delete(accountId),
    );
    sessions.set(accountId, opening);
    return opening;
  };

  app.get<{ Params: { accountId: string }; Querystring: { key?: string } }>(
    `${prefix}/:accountId`,
    async (request, reply) => {
      if (!isAdmin(request, options.isAdminKey)) return deny(reply);
      const { accountId } = request.params;
      if (!manager.findAccount(accountId)) {
        return reply
          .code(404)
          .send({ error: { type: 'not_found', message: `No browser account ${accountId}.` } });
      }
      const ticket = tickets.issue(accountId);
      return (
        reply
          .header('cache-control', 'no-store')
          // The page address may carry the admin key: never send it on as a referrer.
          .header('referrer-policy', 'no-referrer')
          .header('x-frame-options', 'DENY')
          .type('text/html; charset=utf-8')
          .send(
            viewerPageHtml({
              accountId,
              socketPath: `${prefix}/${accountId}/ws?ticket=${encodeURIComponent(ticket)}`,
            }),
          )
      );
    },
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    const match = socketPath.exec(url.pathname);
    if (!match?.[1]) return; // another upgrade handler's business
    const accountId = match[1];
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!tickets.check(ticket, accountId)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const opening = sessionFor(accountId);
    if (!opening) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    opening.then(
      (session) => sockets.handleUpgrade(request, socket, head, (ws) => session.addViewer(ws)),
      (error: unknown) => {
        options.logger.warn({ account: accountId, err: error }, 'could not open the remote login page');
        socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      },
    );
  };
  app.server.on('upgrade', onUpgrade);

  const close = async () => {
    app.server.off('upgrade', onUpgrade);
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.all(
      open.map((opening) => opening.then((session) => session.close()).catch(() => undefined)),
    );
    sockets.close();
  };
  app.addHook('onClose', async () => close());

  return { session: (accountId) => sessions.get(accountId), close };
}

function isAdmin(
  request: FastifyRequest<{ Querystring: { key?: string } }>,
  check: (key: string) => boolean,
): boolean {
  const key = presentedKey(request.headers) ?? request.query.key;
  return typeof key === 'string' && key.length > 0 && check(key);
}

function deny(reply: FastifyReply) {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send({ error: { type: 'authentication_error', message: 'An admin key is required.' } });
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
