import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../core/logger.ts';
import type { BrowserManager } from '../../transports/browser/browser-manager.ts';
import {
  type ScreencastOptions,
  ScreencastSession,
} from '../../transports/browser/remote-login/screencast-session.ts';
import { keyFormHtml, viewerPageHtml } from './viewer-page.ts';
import { ViewerTickets } from './viewer-tickets.ts';

export interface RemoteLoginOptions {
  /** Whether a request carries admin rights (the key in `x-api-key`/Bearer; never in the URL). */
  isAdmin: (request: FastifyRequest) => boolean | Promise<boolean>;
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
/** A page ticket only has to survive the redirect from the POST to the page. */
const PAGE_TICKET_TTL_MS = 60_000;

/**
 * Lets a person log a site account in from anywhere: the gateway serves a viewer page that shows
 * the account's browser page live and forwards their input, for captchas, 2FA and anything else
 * automation should not answer. Pressing "done" saves the session snapshot.
 *
 * Admin rights are needed: `POST <prefix>/<account>/ticket` with the key in a header returns a
 * one-time page address (`?ticket=`, valid a minute); the page can also be fetched with the header.
 * Opened without either, the page is a small form that makes that POST from the browser. The page's
 * WebSocket takes its own ticket and only from the gateway's own origin.
 */
export function registerRemoteLogin(
  app: FastifyInstance,
  manager: BrowserManager,
  options: RemoteLoginOptions,
): RemoteLogin {
  const prefix = (options.prefix ?? '/admin/remote-login').replace(/\/$/, '');
  const screencast = { ...DEFAULT_SCREENCAST, ...options.screencast };
  const tickets = new ViewerTickets();
  const pageTickets = new ViewerTickets(PAGE_TICKET_TTL_MS);
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

  const knownAccount = (accountId: string, reply: FastifyReply) => {
    if (manager.findAccount(accountId)) return true;
    void reply.code(404).send({ error: { type: 'not_found', message: `No browser account ${accountId}.` } });
    return false;
  };

  app.post<{ Params: { accountId: string } }>(
    `${prefix}/:accountId/ticket`,
    { config: { auth: 'admin' } },
    async (request, reply) => {
      if (!(await options.isAdmin(request))) return deny(reply);
      const { accountId } = request.params;
      if (!knownAccount(accountId, reply)) return reply;
      const ticket = pageTickets.issue(accountId);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          ticket,
          url: `${prefix}/${encodeURIComponent(accountId)}?ticket=${encodeURIComponent(ticket)}`,
          expires_in: PAGE_TICKET_TTL_MS / 1000,
        });
    },
  );

  // Public at the gateway's route hook: the page checks its own one-time ticket or the admin header.
  app.get<{ Params: { accountId: string }; Querystring: { ticket?: string } }>(
    `${prefix}/:accountId`,
    { config: { auth: 'public' } },
    async (request, reply) => {
      const { accountId } = request.params;
      const ticket = typeof request.query.ticket === 'string' ? request.query.ticket : '';
      const allowed =
        (ticket !== '' && pageTickets.consume(ticket, accountId)) ||
        (ticket === '' && (await options.isAdmin(request)));
      const page = reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        // Framed by the dashboard's account page (same origin); never by another site.
        .header('x-frame-options', 'SAMEORIGIN')
        .header('content-security-policy', "frame-ancestors 'self'")
        .type('text/html; charset=utf-8');
      if (!allowed) return page.code(401).send(keyFormHtml({ ticketPath: `${prefix}/${accountId}/ticket` }));
      if (!knownAccount(accountId, reply)) return reply;
      return page.send(
        viewerPageHtml({
          accountId,
          socketPath: `${prefix}/${accountId}/ws?ticket=${encodeURIComponent(tickets.issue(accountId))}`,
        }),
      );
    },
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    const match = socketPath.exec(url.pathname);
    if (!match?.[1]) return; // another upgrade handler's business
    const accountId = match[1];
    // A page elsewhere must not drive the viewer, even with a ticket it somehow learnt.
    if (!sameOrigin(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
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

/** The browser's `Origin` names the host it connected to (the viewer page's own origin). */
export function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string') return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
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
