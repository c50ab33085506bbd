import multipart from '@fastify/multipart';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { pathOf, RequestGuard } from './auth/guard.ts';
import { createContext, type SiteContext } from './context.ts';
import { DemoError, errorBody } from './errors.ts';
import { registerFormat2Behaviours } from './format2/register-format2.ts';
import type { DemoSiteOptions } from './options.ts';
import { loadPages } from './pages.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerChatSseRoute } from './routes/chat-sse.ts';
import { registerControlRoutes } from './routes/control.ts';
import { registerFileRoutes } from './routes/files.ts';
import { interstitialHook } from './routes/interstitials.ts';
import { registerMessageRoutes } from './routes/messages.ts';
import { registerModelRoutes } from './routes/models.ts';
import { registerPageRoutes } from './routes/pages.ts';
import { registerThreadRoutes } from './routes/threads.ts';

// Fastify's own failures, mapped onto the site's error codes.
const FASTIFY_CODES: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'file_too_large' },
  FST_FILES_LIMIT: { status: 400, code: 'bad_request' },
  FST_PARTS_LIMIT: { status: 400, code: 'bad_request' },
};

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && 'code' in error;
}

function sendError(
  ctx: SiteContext,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof DemoError) {
    return reply.code(error.status).headers(error.headers).send(errorBody(error.code, error.message));
  }
  const known = isFastifyError(error) ? FASTIFY_CODES[error.code] : undefined;
  const status = known?.status ?? (isFastifyError(error) ? (error.statusCode ?? 500) : 500);
  if (status >= 500) {
    ctx.log.error({ err: error, url: request.url }, 'internal error');
    return reply.code(500).send(errorBody('internal_error', 'Something went wrong on the site.'));
  }
  const message = error instanceof Error ? error.message : String(error);
  return reply.code(status).send(errorBody(known?.code ?? 'bad_request', message));
}

export interface BuiltSite {
  app: FastifyInstance;
  ctx: SiteContext;
}

export async function buildSite(options: DemoSiteOptions): Promise<BuiltSite> {
  const app = Fastify({
    logger: { level: options.logLevel },
    // Per-request lines would drown the events that matter (logins, aborts, faults).
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    // Room for maxInputChars of 4-byte characters, JSON-escaped, plus tools.
    bodyLimit: Math.max(1024 * 1024, options.maxInputChars * 8),
  });
  const ctx = await createContext(options, app.log);
  const pages = await loadPages();
  const guard = new RequestGuard(ctx.sessions);

  // An empty JSON body (stop, logout) is fine; malformed JSON is a 400 in the site's error shape.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'parse error';
      done(new DemoError(400, 'bad_request', `Malformed JSON body: ${detail}`), undefined);
    }
  });
  await app.register(multipart, { limits: { fileSize: options.maxUploadBytes, files: 1, fields: 10 } });

  app.setErrorHandler((error, request, reply) => sendError(ctx, error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('not_found', `No route ${request.method} ${pathOf(request.url)}.`)),
  );
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route !== undefined) ctx.stats.countRequest(`${request.method} ${route}`);
  });
  app.addHook('onRequest', interstitialHook(ctx, pages));
  app.addHook('onRequest', guard.check);

  registerPageRoutes(app, guard, pages);
  registerAuthRoutes(app, ctx, guard);
  registerModelRoutes(app, ctx);
  registerThreadRoutes(app, ctx, guard);
  registerFileRoutes(app, ctx, guard);
  registerChatSseRoute(app, ctx, guard);
  registerMessageRoutes(app, ctx, guard);
  registerFormat2Behaviours(app, ctx, guard);
  if (options.control) registerControlRoutes(app, ctx);
  return { app, ctx };
}
