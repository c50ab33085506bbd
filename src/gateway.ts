import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiKeyRegistry } from './auth/api-key-registry.ts';
import { loadOrCreateGeneratedKey } from './auth/generated-key.ts';
import type { GatewayConfig } from './config/config-schema.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { ModelCatalog } from './pipeline/model-catalog.ts';
import { ReasoningSigner } from './pipeline/reasoning-signature.ts';
import { createApp } from './server/create-app.ts';
import { defaultFrontDoors } from './server/front-doors/default-front-doors.ts';
import { createSites } from './sites/create-sites.ts';
import { registerRemoteLogin } from './transports/browser/remote-login/register-remote-login.ts';
import { openStore } from './store/open-store.ts';
import { createUploadCache, resolveAttachments } from './features/attachments/index.ts';
import { createConversations } from './features/conversations/conversation-planner.ts';
import { createConversationRepository } from './features/conversations/conversation-repository.ts';
import { startThreadSweeper } from './features/conversations/thread-hygiene.ts';
import { createResponsesRepository } from './store/responses-repository.ts';

export interface Gateway {
  app: FastifyInstance;
  url: string;
  /** The generated key when none was configured (printed once by the CLI). */
  generatedKey: { key: string; created: boolean } | undefined;
  embeddedSites: Record<string, string>;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  logger?: Logger;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = {},
): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const isLoopback = LOOPBACK_HOSTS.has(config.server.host) || config.server.host.startsWith('127.');
  if (!isLoopback && config.apiKeys.length === 0) {
    throw new Error(
      `Refusing to listen on ${config.server.host} without an API key: set GATEWAY_API_KEY or apiKeys in the config.`,
    );
  }
  await mkdir(config.dataDir, { recursive: true });
  const generatedKey =
    config.apiKeys.length === 0 ? await loadOrCreateGeneratedKey(config.dataDir) : undefined;
  const keys = new ApiKeyRegistry(
    generatedKey ? [{ key: generatedKey.key, user: 'owner', name: 'generated' }] : config.apiKeys,
  );
  const created = await createSites(config.sites, logger, {
    dataDir: config.dataDir,
    browser: config.browser,
  });
  const catalog = new ModelCatalog(created.sites, config.modelAliases, logger);
  const signer = new ReasoningSigner(await loadOrCreateSecret(config.dataDir));
  const store = await openStore({ kind: 'sqlite', path: join(config.dataDir, 'gateway.sqlite') });
  const responses = createResponsesRepository(store.db);
  const threads = createConversationRepository(store.db);
  const conversations = createConversations({
    repository: threads,
    retentionMs: config.conversations.threadRetentionHours * 3600_000,
  });
  const sitesById = new Map(created.sites.map((site) => [site.id, site]));
  const stopSweeper = startThreadSweeper(config.conversations.sweepIntervalMinutes * 60_000, {
    repository: threads,
    deleteThread: async (siteId, threadId) => {
      const site = sitesById.get(siteId);
      if (site?.capabilities.deleteThreads) await site.deleteThread(threadId, AbortSignal.timeout(30_000));
    },
    onSweep: (result) => {
      if (result.deleted + result.failed > 0) logger.info(result, 'swept gateway threads on the sites');
    },
    onError: (error) => logger.warn({ err: error }, 'thread sweep failed'),
  });
  const app = createApp({
    logger,
    keys,
    catalog,
    pipeline: {
      catalog,
      timeouts: config.timeouts,
      logger,
      signer,
      conversations,
      uploads: createUploadCache(),
      contextPolicy: config.conversations.contextPolicy,
      resolveAttachments: (request, resolved, signal) =>
        resolveAttachments(request, {
          model: resolved.model.capabilities,
          site: resolved.site.capabilities,
          fetchOptions: {
            allowHosts: config.attachments.allowHosts,
            allowCidrs: config.attachments.allowCidrs,
            totalTimeoutMs: config.attachments.fetchTimeoutMs,
          },
          signal,
        }),
    },
    frontDoors: defaultFrontDoors({ catalog, responses, responsesTtlSeconds: config.responsesTtlSeconds }),
    bodyLimitBytes: config.server.bodyLimitBytes,
    keepAliveMs: config.server.keepAliveMs,
  });
  const remoteLogin = created.browser
    ? registerRemoteLogin(app, created.browser, {
        // Single-user for now: every configured key is the owner's, so every key is an admin key.
        isAdminKey: (key) => keys.authenticate(key) !== undefined,
        prefix: config.browser.remoteLoginPrefix,
        onLoggedIn: (accountId) => {
          void created.keepAlives.get(accountId)?.checkNow();
        },
        logger,
      })
    : undefined;
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  return {
    app,
    url: address.replace('[::1]', 'localhost'),
    generatedKey,
    embeddedSites: created.embedded,
    logger,
    close: async () => {
      await remoteLogin?.close();
      await app.close();
      await stopSweeper();
      await created.close();
      await store.close();
    },
  };
}

async function loadOrCreateSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'signing-secret');
  try {
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
  } catch {
    const secret = randomBytes(32);
    await writeFile(path, secret.toString('base64url'), { mode: 0o600 });
    return secret;
  }
}
