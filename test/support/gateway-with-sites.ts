import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type ApiKeyConfig, GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { buildGateway } from '../../src/gateway.ts';
import type { Site } from '../../src/site-contract/site.ts';

export const GATEWAY_TEST_KEY = 'test-key-sites-0123456789';

export interface GatewayWithSites {
  /** Origin (Anthropic base URL); OpenAI clients append `/v1`. */
  url: string;
  key: string;
  close(): Promise<void>;
}

/**
 * The whole gateway (`buildGateway`, the wiring startup uses) in front of adapters built by a test,
 * so a new site kind is tested end to end through all three dialects before the config knows it.
 */
export async function startGatewayWithSites(sites: Site[]): Promise<GatewayWithSites> {
  const built = await buildGatewayWithSites(sites);
  const address = await built.app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, key: GATEWAY_TEST_KEY, close: built.close };
}

export interface BuiltGatewayWithSites {
  /** Not listening yet: more routes may be added, `inject` works. */
  app: FastifyInstance;
  key: string;
  close(): Promise<void>;
}

/** The same gateway, unstarted, for in-process tests (`app.inject`) and for adding routes to it. */
export async function buildGatewayWithSites(
  sites: Site[],
  options: {
    keys?: ApiKeyConfig[];
    adminToken?: string;
    corsOrigins?: string[];
    allowCidrs?: string[];
  } = {},
): Promise<BuiltGatewayWithSites> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wcg-sites-'));
  const config = GatewayConfigSchema.parse({
    server: { host: '127.0.0.1', port: 0, corsOrigins: options.corsOrigins ?? [] },
    dataDir,
    apiKeys: options.keys ?? [{ key: GATEWAY_TEST_KEY, user: 'tester', name: 'test' }],
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    timeouts: { firstByteMs: 10_000, idleMs: 10_000, totalMs: 30_000 },
    attachments: { allowCidrs: options.allowCidrs ?? [] },
    logLevel: 'silent',
  });
  const built = await buildGateway(config, {
    sites,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  return {
    app: built.app,
    key: GATEWAY_TEST_KEY,
    close: async () => {
      await built.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
