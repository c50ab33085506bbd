import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { type ApiKeyRegistry, presentedKey } from '../auth/api-key-registry.ts';
import type { Principal } from '../auth/principal.ts';
import type { ModelCatalog } from '../pipeline/model-catalog.ts';
import type { PipelineDeps } from '../pipeline/run-chat.ts';
import { decompressBody } from './decompress-body.ts';
import type { FrontDoor, RenderedError } from './front-door.ts';
import { handleChatRequest } from './handle-chat-request.ts';
import { registerModelRoutes } from './model-routes.ts';

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
}

export interface AppDeps {
  logger: Logger;
  keys: ApiKeyRegistry;
  catalog: ModelCatalog;
  pipeline: PipelineDeps;
  frontDoors: FrontDoors;
  bodyLimitBytes: number;
  keepAliveMs: number;
}

/** Which error dialect a request speaks: Anthropic routes, or any route an Anthropic client calls. */
export function isAnthropicRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/v1/messages') || typeof request.headers['anthropic-version'] === 'string';
}

export function createApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // pino's Logger is what Fastify wraps; its generic parameters differ only nominally.
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => `req_${Math.random().toString(36).slice(2, 12)}`,
    // `?beta=true` and other query flags must not change routing.
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.decorateRequest('principal', undefined);

  const sendError = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) => {
    const rendered = isAnthropicRequest(request)
      ? deps.frontDoors.renderAnthropicError(error)
      : deps.frontDoors.renderOpenAIError(error);
    if (reply.sent || reply.raw.headersSent) return;
    void reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  };

  app.addHook('preParsing', async (request, _reply, payload) => decompressBody(request.raw, payload));

  // Some clients omit or mislabel the content type; a JSON body is still a JSON body.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(new GatewayError('invalid_request', 'The request body is not valid JSON.'), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const key = presentedKey(request.headers);
    if (!key) {
      sendError(
        request,
        reply,
        new GatewayError(
          'authentication',
          'Missing API key: send it as `Authorization: Bearer <key>` or `x-api-key`.',
        ),
      );
      return reply;
    }
    const principal = deps.keys.authenticate(key);
    if (!principal) {
      sendError(request, reply, new GatewayError('authentication', 'Invalid API key.'));
      return reply;
    }
    request.principal = principal;
  });

  app.setErrorHandler((error: FastifyError | GatewayError, request, reply) => {
    sendError(request, reply, fromFastifyError(error, request));
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(
      request,
      reply,
      new GatewayError('not_found', `Unknown route: ${request.method} ${request.url.split('?')[0]}`),
    );
  });

  const chatDeps = { pipeline: deps.pipeline, keepAliveMs: deps.keepAliveMs };
  app.post('/v1/chat/completions', (request, reply) =>
    handleChatRequest(deps.frontDoors.chatCompletions, chatDeps, request, reply),
  );
  app.post('/v1/responses', (request, reply) =>
    handleChatRequest(deps.frontDoors.responses, chatDeps, request, reply),
  );
  app.post('/v1/messages', (request, reply) =>
    handleChatRequest(deps.frontDoors.messages, chatDeps, request, reply),
  );
  app.post('/v1/messages/count_tokens', async (request) => deps.frontDoors.countTokens(request.body));
  registerModelRoutes(app, deps.catalog);
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

function fromFastifyError(error: FastifyError | GatewayError, request: FastifyRequest): GatewayError {
  // Fastify parses a body before it knows the route is unknown; the route is what matters.
  if (!request.routeOptions.url) {
    return new GatewayError('not_found', `Unknown route: ${request.method} ${request.url.split('?')[0]}`);
  }
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
