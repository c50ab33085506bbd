import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoSite, startDemoSite } from '../../demo-site/src/index.ts';
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { type Gateway, startGateway } from '../../src/gateway.ts';
import { embedDemoSite } from '../../src/cli/embed-demo-site.ts';

export const TEST_KEY = 'test-key-0123456789abcdef';
export const SECOND_KEY = 'test-key-second-0123456789';

export interface Stack {
  demo: DemoSite;
  gateway: Gateway;
  /** Gateway origin, e.g. http://127.0.0.1:1234 (Anthropic base URL). */
  url: string;
  /** `${url}/v1` (OpenAI base URL). */
  openaiBaseUrl: string;
  key: string;
  dataDir: string;
  demoStats(): Promise<Record<string, number>>;
  setFaults(faults: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  streaming?: 'sse' | 'ws';
  demo?: Parameters<typeof startDemoSite>[0];
  config?: Record<string, unknown>;
  dataDir?: string;
  /** Extra fields for the demo site entry (e.g. `{ transport: 'browser', browserMode: 'dom' }`). */
  site?: Record<string, unknown>;
}

/** A demo site (with its control endpoints) and a gateway pointed at it, both on loopback. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const demo = await startDemoSite({ control: true, slowWordDelayMs: 5, ...(options.demo ?? {}) });
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wcg-test-')));
  const config = GatewayConfigSchema.parse({
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    apiKeys: [
      { key: TEST_KEY, user: 'alice', name: 'test' },
      { key: SECOND_KEY, user: 'bob', name: 'second' },
    ],
    sites: [
      {
        id: 'demo',
        kind: 'demo',
        embedded: false,
        baseUrl: demo.url,
        streaming: options.streaming ?? 'sse',
        ...(options.site ?? {}),
      },
    ],
    logLevel: 'silent',
    ...(options.config ?? {}),
  });
  const gateway = await startGateway(config, {
    embedDemoSite,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${demo.url}/__control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`control ${path}: ${response.status}`);
    return response.status === 204 ? {} : response.json();
  };
  return {
    demo,
    gateway,
    url: gateway.url,
    openaiBaseUrl: `${gateway.url}/v1`,
    key: TEST_KEY,
    dataDir,
    demoStats: async () => (await control('stats')) as Record<string, number>,
    setFaults: async (faults) => {
      await control('faults', faults);
    },
    close: async () => {
      await gateway.close();
      await demo.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds (for effects the site applies asynchronously, like abort detection). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
