/**
 * The dashboard's own access check. Its routes are `auth: 'public'` at the gateway's route hook
 * (an API key or the admin token in a header must never open them); here a page needs a live
 * session cookie, and every POST needs the cookie and the session's CSRF token in `x-csrf-token`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SafeHtml } from './html.ts';
import type { DashboardSession, DashboardSessions } from './sessions.ts';

export type DashboardHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  session: DashboardSession,
) => Promise<string | SafeHtml | FastifyReply>;

/** Renders a full page for the signed-in session (its CSRF token goes into the page). */
export type Render = (session: DashboardSession, title: string, body: SafeHtml) => string;

const open = { config: { auth: 'public' as const } };

/** Headers every dashboard answer carries: no caching, no framing, scripts from the gateway only. */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
}

function send(reply: FastifyReply, result: string | SafeHtml | FastifyReply) {
  if (typeof result === 'string') return reply.type('text/html; charset=utf-8').send(result);
  if ('text' in result) return reply.type('text/html; charset=utf-8').send(result.text);
  return result;
}

export function dashboardRoutes(app: FastifyInstance, sessions: DashboardSessions) {
  return {
    /** A page or a partial: signed out → to the sign-in page (htmx follows `hx-redirect`). */
    get(path: string, handler: DashboardHandler) {
      app.get(path, open, async (request, reply) => {
        securityHeaders(reply);
        const session = sessions.find(request);
        if (!session) {
          if (request.headers['hx-request'] === 'true') {
            return reply.code(401).header('hx-redirect', '/admin/sign-in').send('');
          }
          return reply.code(303).header('location', '/admin/sign-in').send('');
        }
        return send(reply, await handler(request, reply, session));
      });
    },
    /** A change: refused with 403 without the session cookie and its CSRF token. */
    post(path: string, handler: DashboardHandler) {
      app.post(path, open, async (request, reply) => {
        securityHeaders(reply);
        const session = sessions.find(request);
        if (!session || !sessions.csrfValid(request, session)) {
          return reply
            .code(403)
            .type('text/plain; charset=utf-8')
            .send(session ? 'Missing or wrong CSRF token.' : 'Sign in first.');
        }
        return send(reply, await handler(request, reply, session));
      });
    },
  };
}

export type DashboardRoutes = ReturnType<typeof dashboardRoutes>;
