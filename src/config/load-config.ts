import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type GatewayConfig, GatewayConfigSchema } from './config-schema.ts';

export interface LoadConfigOptions {
  /** Path to a YAML or JSON config file; absent means defaults plus environment. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Merged over the file (used by tests and the CLI). */
  overrides?: Record<string, unknown>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the config file, applies the `config loader` variables of `ENV_VARS` (`./env-vars.ts`, the one
 * table of them, documented in docs/configuration.md), validates.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  const env = options.env ?? process.env;
  let raw: Record<string, unknown> = {};
  const path = options.path ?? env.GATEWAY_CONFIG;
  if (path) {
    const text = await readFile(path, 'utf8');
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed !== null && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  }
  raw = { ...raw, ...(options.overrides ?? {}) };
  const server = { ...((raw.server as Record<string, unknown> | undefined) ?? {}) };
  if (env.HOST) server.host = env.HOST;
  if (env.PORT) server.port = Number(env.PORT);
  if (env.GATEWAY_SHUTDOWN_GRACE_MS) server.shutdownGraceMs = Number(env.GATEWAY_SHUTDOWN_GRACE_MS);
  raw.server = server;
  if (env.GATEWAY_DATA_DIR) raw.dataDir = env.GATEWAY_DATA_DIR;
  if (env.GATEWAY_API_KEY) {
    const keys = Array.isArray(raw.apiKeys) ? raw.apiKeys : [];
    raw.apiKeys = [{ key: env.GATEWAY_API_KEY, user: 'owner', name: 'env' }, ...keys];
  }
  if (env.LOG_LEVEL) raw.logLevel = env.LOG_LEVEL;
  if (env.DATABASE_URL) raw.databaseUrl = env.DATABASE_URL;
  if (env.GATEWAY_ADMIN_TOKEN) raw.adminToken = env.GATEWAY_ADMIN_TOKEN;
  if (env.GATEWAY_METRICS_TOKEN) raw.metricsToken = env.GATEWAY_METRICS_TOKEN;
  if (env.REDIS_URL) {
    raw.admission = {
      ...((raw.admission as Record<string, unknown> | undefined) ?? {}),
      redisUrl: env.REDIS_URL,
    };
  }
  const result = GatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      `Invalid gateway config${path ? ` (${path})` : ''}:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}
