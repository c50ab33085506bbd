import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiKeyRegistry } from './auth/api-key-registry.ts';
import { adminTokenCheck, adminTokenMatcher } from './auth/admin-token.ts';
import { loadOrCreateAdminToken, loadOrCreateGeneratedKey } from './auth/generated-key.ts';
import { ownerKeyIsAdmin } from './auth/owner-admin.ts';
import type { GatewayConfig } from './config/config-schema.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { ModelCatalog } from './pipeline/model-catalog.ts';
import { ReasoningSigner } from './pipeline/reasoning-signature.ts';
import { createAdmission } from './admission/admission.ts';
import { createApp } from './server/create-app.ts';
import { Drain } from './server/operations/drain.ts';
import { gatewayReadinessChecks } from './server/operations/gateway-readiness-checks.ts';
import { registerReadiness } from './server/operations/readiness.ts';
import { echoRequestId } from './server/operations/request-id.ts';
import { LiveRequests, registerLiveRequestRoutes } from './server/operations/live-requests.ts';
import { GatewayMetrics, registerMetricsRoute } from './server/operations/metrics.ts';
import { registerStateCollectors } from './server/operations/metrics-collectors.ts';
import { defaultFrontDoors } from './server/front-doors/default-front-doors.ts';
import type { Site } from './site-contract/site.ts';
import { type CreatedSites, createSites } from './sites/create-sites.ts';
import type { EmbedDemoSite } from './sites/kit/site-descriptor.ts';
import { registerRemoteLogin } from './server/remote-login/register-remote-login.ts';
import { registerAdminApiRoutes } from './multi-user/admin-api-routes.ts';
import { registerSiteAdminRoutes } from './server/site-admin-routes.ts';
import { registerAccountAdminRoutes } from './server/account-admin-routes.ts';
import { type Dashboard, registerDashboard } from './server/dashboard/register-dashboard.ts';
import { loadSecretBox } from './secrets/master-key.ts';
import { AccountsRepository, createHealthStore } from './sites/pool/pool-store.ts';
import { registerOwnUsageRoute } from './multi-user/own-usage-route.ts';
import { createQuotaLedger } from './multi-user/quota-ledger.ts';
import { createStoreAuthenticator, type MultiUserPrincipal } from './multi-user/store-authenticator.ts';
import { createUsersRepository } from './multi-user/users-repository.ts';
import { storeConfigFrom } from './store/dialect.ts';
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
  /** The admin token when it was generated into the data dir (no GATEWAY_ADMIN_TOKEN). */
  generatedAdminToken: { key: string; created: boolean } | undefined;
  embeddedSites: Record<string, string>;
  logger: Logger;
  /** Rate limits and account queues (`snapshot()`, `health()` for the admin API); absent when disabled. */
  admission: ReturnType<typeof createAdmission> | undefined;
  /** Chat requests in flight: `list()`, `cancel(id)` (the admin API and the dashboard use it). */
  liveRequests: LiveRequests;
  /** The Prometheus registry behind `/metrics`. */
  metrics: GatewayMetrics;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  logger?: Logger;
  /** Starts the embedded demo site; the CLI passes the demo app. Without it a demo entry needs a baseUrl. */
  embedDemoSite?: EmbedDemoSite;
  /** Adapters built by the caller, served instead of `config.sites` (tests of a new site kind). */
  sites?: Site[];
}

/** The gateway with every route registered, not listening yet (`app.inject` works). */
export interface BuiltGateway extends Omit<Gateway, 'url'> {
  /** Listens where the config says; returns the URL. */
  listen(): Promise<string>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Builds the gateway and listens: what `webchat-gateway serve` runs. */
export async function startGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = {},
): Promise<Gateway> {
  const built = await buildGateway(config, options);
  try {
    const url = await built.listen();
    const { listen: _listen, ...gateway } = built;
    return { ...gateway, url };
  } catch (error) {
    await built.close();
    throw error;
  }
}

/**
 * Wires the whole gateway from its config — store, auth, sites, admission, pipeline, routes — the
 * one wiring used by startup and by the tests.
 */
export async function buildGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = {},
): Promise<BuiltGateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const isLoopback = LOOPBACK_HOSTS.has(config.server.host) || config.server.host.startsWith('127.');
  if (!isLoopback && config.apiKeys.length === 0) {
    throw new Error(
      `Refusing to listen on ${config.server.host} without an API key: set GATEWAY_API_KEY or apiKeys in the config.`,
    );
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const generatedKey =
    config.apiKeys.length === 0 ? await loadOrCreateGeneratedKey(config.dataDir) : undefined;
  const keys = new ApiKeyRegistry(
    generatedKey ? [{ key: generatedKey.key, user: 'owner', name: 'generated' }] : config.apiKeys,
  );
  const store = await openStore(storeConfigFrom(config.databaseUrl, join(config.dataDir, 'gateway.sqlite')));
  // Site secrets at rest (pooled accounts' credentials, saved browser sessions) are sealed with it.
  const secretBox = await loadSecretBox({ dataDir: config.dataDir, logger });
  let created: CreatedSites;
  try {
    created = options.sites
      ? servedAsGiven(options.sites)
      : await createSites(config.sites, logger, {
          dataDir: config.dataDir,
          browser: config.browser,
          embedDemoSite: options.embedDemoSite,
          secretBox,
          pool: {
            repository: new AccountsRepository(store.db, secretBox),
            healthStore: createHealthStore(store.db),
            browserMaxConcurrent: config.admission.accounts.browserMaxConcurrent,
          },
        });
  } catch (error) {
    await store.close();
    throw error;
  }
  const catalog = new ModelCatalog(created.sites, config.modelAliases, logger);
  // The admin token opens `/admin/api`; it, or an owner key, opens the other admin routes.
  const adminSecret = config.adminToken
    ? { key: config.adminToken, created: false, generated: false }
    : { ...(await loadOrCreateAdminToken(config.dataDir)), generated: true };
  const adminToken = adminTokenCheck(adminSecret.key);
  const ownerIsAdmin = ownerKeyIsAdmin(keys);
  const adminAuth = async (request: FastifyRequest) => adminToken(request) || (await ownerIsAdmin(request));
  const signer = new ReasoningSigner(await loadOrCreateSecret(config.dataDir));
  // Multi-user: keys from the users table work beside the static/generated owner keys.
  const authenticator = createStoreAuthenticator(keys, createUsersRepository(store.db));
  const ledger = createQuotaLedger(store.db, { holdMs: config.timeouts.totalMs + 60_000 });
  await ledger.reconcile({ all: config.databaseUrl === undefined });
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
  // Stored Responses API responses past `responsesTtlSeconds` are unreadable at once; this frees the rows.
  const purgeResponses = setInterval(() => {
    responses
      .purgeExpired(new Date())
      .catch((error: unknown) => logger.warn({ err: error }, 'purging expired responses failed'));
  }, config.conversations.sweepIntervalMinutes * 60_000);
  purgeResponses.unref();
  const drain = new Drain();
  const admission = config.admission.enabled
    ? createAdmission(config.admission, {
        logger,
        // A users-table user's own limits (admin API) win over the config's, which are by user name.
        limitsFor: (principal) => ({
          user: (principal as MultiUserPrincipal).limits ?? config.admission.users[principal.userId],
          key: config.admission.keys[principal.keyName],
        }),
        browserSites: created.browserSites,
        siteSlots: created.siteSlots,
      })
    : undefined;
  const liveRequests = new LiveRequests();
  const metrics = new GatewayMetrics();
  registerStateCollectors(metrics.registry, {
    admission,
    pools: created.pools,
    keepAlives: created.keepAlives,
    browser: created.browser,
    liveRequests,
  });
  // The admin dashboard (`/admin`); its session also opens the remote-login viewer.
  let dashboard: Dashboard | undefined;
  const app = createApp({
    logger,
    live: liveRequests,
    metrics,
    metricsToken: config.metricsToken ? adminTokenCheck(config.metricsToken) : undefined,
    keys: authenticator,
    meter: { ledger, defaultMaxTokens: 4096 },
    extraRoutes: (app) => {
      registerOwnUsageRoute(app, store.db);
      registerSiteAdminRoutes(app, sitesById);
      registerAccountAdminRoutes(app, {
        pools: created.pools,
        remoteLoginPrefix: created.browser ? config.browser.remoteLoginPrefix : undefined,
      });
      registerAdminApiRoutes(app, {
        db: store.db,
        onChange: () => authenticator.invalidate(),
        admission,
      });
      dashboard = registerDashboard(app, {
        db: store.db,
        isAdminToken: adminTokenMatcher(adminSecret.key),
        onUsersChange: () => authenticator.invalidate(),
        admission,
        pools: created.pools,
        remoteLoginPrefix: created.browser ? config.browser.remoteLoginPrefix : undefined,
        liveRequests,
      });
      registerLiveRequestRoutes(app, liveRequests);
      registerMetricsRoute(app, metrics);
    },
    adminToken,
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
    adminAuth,
    corsOrigins: config.server.corsOrigins,
    drainSignal: drain.signal,
    admission: admission && {
      admission,
      catalog,
      reserveOutputTokens: config.admission.reserveOutputTokens,
    },
  });
  drain.track(app);
  echoRequestId(app);
  registerReadiness(
    app,
    gatewayReadinessChecks({
      db: store.db,
      catalog,
      admission,
      accountsServiceable:
        created.pools.size > 0
          ? () => [...created.pools.values()].some((pool) => pool.serviceable() > 0)
          : undefined,
    }),
    {
      logger,
      draining: () => drain.draining,
    },
  );
  const remoteLogin = created.browser
    ? registerRemoteLogin(app, created.browser, {
        // The owner's keys, the admin token, or a dashboard session (its "log in" button links here).
        isAdmin: async (request) => dashboard?.isSignedIn(request) === true || (await adminAuth(request)),
        prefix: config.browser.remoteLoginPrefix,
        onLoggedIn: (accountId) => {
          void created.keepAlives.get(accountId)?.checkNow();
        },
        logger,
      })
    : undefined;
  return {
    app,
    listen: async () => {
      const address = await app.listen({ host: config.server.host, port: config.server.port });
      return address.replace('[::1]', 'localhost');
    },
    generatedKey,
    generatedAdminToken: adminSecret.generated
      ? { key: adminSecret.key, created: adminSecret.created }
      : undefined,
    embeddedSites: created.embedded,
    logger,
    admission,
    liveRequests,
    metrics,
    close: async () => {
      await remoteLogin?.close();
      await drain.close(app, config.server.shutdownGraceMs, logger);
      await admission?.close();
      clearInterval(purgeResponses);
      await stopSweeper();
      await created.close();
      await store.close();
    },
  };
}

/** Caller-built adapters: no browser, no keep-alive; closing the gateway closes them. */
function servedAsGiven(sites: Site[]): CreatedSites {
  return {
    sites,
    embedded: {},
    browser: undefined,
    browserSites: [],
    keepAlives: new Map(),
    pools: new Map(),
    siteSlots: {},
    close: async () => {
      for (const site of sites) await site.close().catch(() => undefined);
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
