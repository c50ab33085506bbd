import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRegistry } from '../../auth/api-key-registry.ts';
import { createLogger } from '../../core/logger.ts';
import { createUploadCache, resolveAttachments } from '../../features/attachments/index.ts';
import { createConversations } from '../../features/conversations/conversation-planner.ts';
import { createConversationRepository } from '../../features/conversations/conversation-repository.ts';
import { ModelCatalog } from '../../pipeline/model-catalog.ts';
import { ReasoningSigner } from '../../pipeline/reasoning-signature.ts';
import { createApp } from '../../server/create-app.ts';
import { defaultFrontDoors } from '../../server/front-doors/default-front-doors.ts';
import { openStore } from '../../store/open-store.ts';
import { createResponsesRepository } from '../../store/responses-repository.ts';
import type { Site } from '../site.ts';

export const GATEWAY_TEST_KEY = 'test-key-sites-0123456789';

export interface GatewayWithSites {
  /** Origin (Anthropic base URL); OpenAI clients append `/v1`. */
  url: string;
  key: string;
  close(): Promise<void>;
}

/**
 * Test support: the real front doors and pipeline (as `src/gateway.ts` wires them) in front of
 * adapters built by a test, so a new site kind is tested end to end through all three dialects
 * before the config schema knows it.
 */
export async function startGatewayWithSites(sites: Site[]): Promise<GatewayWithSites> {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const dataDir = await mkdtemp(join(tmpdir(), 'wcg-sites-'));
  const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'gateway.sqlite') });
  const catalog = new ModelCatalog(sites, {}, logger);
  const app = createApp({
    logger,
    keys: new ApiKeyRegistry([{ key: GATEWAY_TEST_KEY, user: 'tester', name: 'test' }]),
    catalog,
    pipeline: {
      catalog,
      timeouts: { firstByteMs: 10_000, idleMs: 10_000, totalMs: 30_000 },
      logger,
      signer: new ReasoningSigner(Buffer.alloc(32, 7)),
      conversations: createConversations({ repository: createConversationRepository(store.db) }),
      uploads: createUploadCache(),
      contextPolicy: 'drop-oldest',
      resolveAttachments: (request, resolved, signal) =>
        resolveAttachments(request, {
          model: resolved.model.capabilities,
          site: resolved.site.capabilities,
          fetchOptions: { allowHosts: [], allowCidrs: [], totalTimeoutMs: 10_000 },
          signal,
        }),
    },
    frontDoors: defaultFrontDoors({
      catalog,
      responses: createResponsesRepository(store.db),
      responsesTtlSeconds: 3600,
    }),
    bodyLimitBytes: 32 * 1024 * 1024,
    keepAliveMs: 15_000,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    key: GATEWAY_TEST_KEY,
    close: async () => {
      await app.close();
      for (const site of sites) await site.close().catch(() => undefined);
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
