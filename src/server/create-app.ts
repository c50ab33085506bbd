import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Principal } from '../auth/principal.ts';
import type { ModelCatalog } from '../pipeline/model-catalog.ts';
import type { PipelineDeps } from '../pipeline/run-chat.ts';
import { assertJsonDepth } from '../dialects/shared/json-depth.ts';
import { registerCors } from './cors.ts';
import { decompressBody } from './decompress-body.ts';
import type { FrontDoor, RenderedError } from './front-door.ts';
import type { MeterDeps } from '../multi-user/meter-request.ts';
import { type ChatHandlerDeps, handleChatRequest } from './handle-chat-request.ts';
import { requestIdFor } from './operations/request-id.ts';
import { refusedMediaType } from './json-media-type.ts';
import { registerModelRoutes } from './model-routes.ts';
import { isAnthropicRequest } from './request-dialect.ts';
import { requestPath } from './request-path.ts';
import { authenticateRoute, type KeyAuthenticator, type RouteAuthDeps } from './route-auth.ts';
import { allowedMethods, routesOf, trackRoutes } from './route-index.ts';
import { registerStoredResponseRoutes } from './stored-responses-routes.ts';
import type { ResponsesRepository } from '../store/responses-repository.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export interface FrontDoors {
  chatCompletions: FrontDoor<never>;
  responses: FrontDoor<never>;
  messages: FrontDoor<never>;
  countTokens: (body: unknown) => Promise<object> | object;
  renderOpenAIError: (error: GatewayError) => RenderedError;
  renderAnthropicError: (error: GatewayError) => RenderedError;
  /** Stored Responses API responses, for `GET`/`DELETE /v1/responses/{id}` and its input items. */
  storedResponses?: ResponsesRepository;
}

export interface AppDeps {
  logger: Logger;
  keys: KeyAuthenticator;
  catalog: ModelCatalog;
  pipeline: PipelineDeps;
  frontDoors: FrontDoors;
  bodyLimitBytes: number;
  keepAliveMs: number;
  /** Aborted when a shutdown's grace period is over: in-flight chats end with an error event. */
  drainSignal?: AbortSignal;
  admission?: ChatHandlerDeps['admission'];
  /** Grants `auth: 'admin'` routes (see `route-auth.ts`); absent → they are closed. */
  adminAuth?: RouteAuthDeps['adminAuth'];
  /** Grants `auth: 'admin-token'` routes (`/admin/api`); absent → they are closed. */
  adminToken?: RouteAuthDeps['adminToken'];
  /** Grants `auth: 'metrics'` routes (`/metrics`) besides the admin token. */
  metricsToken?: RouteAuthDeps['metricsToken'];
  /** Chat requests in flight (admin API, dashboard) and the request-path metrics; absent = untracked. */
  live?: ChatHandlerDeps['live'];
  metrics?: ChatHandlerDeps['metrics'];
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins?: readonly string[];
  meter?: MeterDeps | undefined;
  /** Registers extra routes (multi-user: `GET /v1/usage`); each declares its `config.auth`. */
  extraRoutes?: ((app: FastifyInstance) => void) | undefined;
}

/** Which error dialect a request speaks: Anthropic routes, or any route an Anthropic client calls. */
export function createApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // pino's Logger is what Fastify wraps; its generic parameters differ only nominally.
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    genReqId: requestIdFor,
    // `?beta=true` and other query flags must not change routing.
    routerOptions: { ignoreTrailingSlash: true },
    // A malformed percent-escape in the path is the caller's error, in the caller's dialect.
    frameworkErrors: (error, request, reply) => {
      sendError(
        request,
        reply,
        new GatewayError('invalid_request', `Malformed request URL (${error.message}).`),
      );
    },
  });
  app.decorateRequest('principal', undefined);
  trackRoutes(app);

  const sendError = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) => {
    const rendered = isAnthropicRequest(request)
      ? deps.frontDoors.renderAnthropicError(error)
      : deps.frontDoors.renderOpenAIError(error);
    if (reply.sent || reply.raw.headersSent) return;
    void reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  };

  // 404 for an unknown path; 405 with `allow` when the path exists under other methods.
  const sendNotFound = (request: FastifyRequest, reply: FastifyReply) => {
    const path = requestPath(request.url);
    const allowed = allowedMethods(routesOf(app), path);
    if (allowed.length === 0) {
      sendError(request, reply, new GatewayError('not_found', `Unknown route: ${request.method} ${path}`));
      return;
    }
    reply.header('allow', allowed.join(', '));
    sendError(
      request,
      reply,
      new GatewayError('invalid_request', `Method ${request.method} is not allowed on ${path}.`, {
        status: 405,
      }),
    );
  };

  registerCors(app, deps.corsOrigins ?? []);
  // Before anything else runs: an unknown route or an anonymous caller costs no body parse.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.url) {
      sendNotFound(request, reply);
      return reply;
    }
    try {
      request.principal = await authenticateRoute(request, {
        keys: deps.keys,
        adminAuth: deps.adminAuth,
        adminToken: deps.adminToken,
        metricsToken: deps.metricsToken,
      });
    } catch (error) {
      sendError(request, reply, toGatewayError(error));
      return reply;
    }
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const refused = refusedMediaType(request.headers);
    if (refused) throw refused;
    return decompressBody(request.raw, payload);
  });
  // Only JSON is read (`json-media-type.ts`); a body without a content type is parsed as JSON too.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.addHook('preValidation', async (request) => assertJsonDepth(request.body));

  app.setErrorHandler((error: FastifyError | GatewayError, request, reply) => {
    sendError(request, reply, fromFastifyError(error, request));
  });
  app.setNotFoundHandler((request, reply) => sendNotFound(request, reply));

  const chatDeps: ChatHandlerDeps = {
    pipeline: deps.pipeline,
    keepAliveMs: deps.keepAliveMs,
    drainSignal: deps.drainSignal,
    admission: deps.admission,
    meter: deps.meter,
    live: deps.live,
    metrics: deps.metrics,
  };
  const apiKey = { config: { auth: 'api-key' as const } };
  app.post('/v1/chat/completions', apiKey, (request, reply) =>
    handleChatRequest(deps.frontDoors.chatCompletions, chatDeps, request, reply),
  );
  app.post('/v1/responses', apiKey, (request, reply) =>
    handleChatRequest(deps.frontDoors.responses, chatDeps, request, reply),
  );
  app.post('/v1/messages', apiKey, (request, reply) =>
    handleChatRequest(deps.frontDoors.messages, chatDeps, request, reply),
  );
  app.post('/v1/messages/count_tokens', apiKey, async (request) => deps.frontDoors.countTokens(request.body));
  registerModelRoutes(app, deps.catalog);
  if (deps.frontDoors.storedResponses) registerStoredResponseRoutes(app, deps.frontDoors.storedResponses);
  deps.extraRoutes?.(app);
  app.get('/healthz', { config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  return app;
}

function fromFastifyError(error: FastifyError | GatewayError, request: FastifyRequest): GatewayError {
  if (error instanceof GatewayError) {
    if (error.kind === 'internal') request.log.error({ err: error.cause ?? error }, 'internal error');
    return error;
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('request_too_large', 'The request body is larger than this gateway accepts.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('invalid_request', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('invalid_request', 'The content-length does not match the body.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError(
        'invalid_request',
        'Unsupported content type: send the body as application/json.',
        {
          status: 415,
        },
      );
    default:
      break;
  }
  if (
    error.code === 'Z_DATA_ERROR' ||
    error.code === 'Z_BUF_ERROR' ||
    error.code === 'ERR__ERROR_FORMAT_PADDING_1'
  ) {
    return new GatewayError('invalid_request', 'The request body could not be decompressed.');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new GatewayError('invalid_request', error.message, { status: error.statusCode });
  }
  request.log.error({ err: error }, 'unhandled error');
  return toGatewayError(error);
}
