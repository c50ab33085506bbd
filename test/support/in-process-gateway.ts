import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type DemoSite, startDemoSite } from '../../demo-site/src/index.ts';
import { ApiKeyRegistry } from '../../src/auth/api-key-registry.ts';
import { ownerKeyIsAdmin } from '../../src/auth/owner-admin.ts';
import { createLogger } from '../../src/core/logger.ts';
import { DemoSiteAdapter } from '../../src/sites/demo/demo-site-adapter.ts';
import { buildGatewayWithSites } from './gateway-with-sites.ts';
import { BrowserManager } from '../../src/transports/browser/browser-manager.ts';
import { registerRemoteLogin } from '../../src/server/remote-login/register-remote-login.ts';
import { HttpTransport } from '../../src/transports/http/http-transport.ts';

export const OWNER_KEY = 'owner-key-0123456789abcdef';
export const USER_KEY = 'user-key-alice-0123456789';
export const ADMIN_TOKEN = 'admin-token-in-process-0123456789';

export interface InProcessGateway {
  /** Every route the gateway serves, the remote-login viewer's included; use `app.inject`. */
  app: FastifyInstance;
  demo: DemoSite;
  close(): Promise<void>;
}

/**
 * The gateway app in this process in front of the demo site, not listening: requests go through
 * `app.inject`, so thousands of them take seconds. The remote-login routes are registered on it
 * (the browser is never launched: no test here opens a viewer).
 */
export async function startInProcessGateway(
  options: { corsOrigins?: string[]; allowCidrs?: string[] } = {},
): Promise<InProcessGateway> {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const demo = await startDemoSite({ slowWordDelayMs: 1 });
  const dataDir = await mkdtemp(join(tmpdir(), 'wcg-in-process-'));
  const keys = [
    { key: OWNER_KEY, user: 'owner', name: 'owner' },
    { key: USER_KEY, user: 'alice', name: 'alice' },
  ];
  const adminAuth = ownerKeyIsAdmin(new ApiKeyRegistry(keys));
  const site = new DemoSiteAdapter({
    id: 'demo',
    baseUrl: demo.url,
    credentials: { username: 'demo', password: 'demo-password' },
    streaming: 'sse',
    transport: new HttpTransport(),
    logger,
  });
  const built = await buildGatewayWithSites([site], { keys, adminToken: ADMIN_TOKEN, ...options });
  const manager = new BrowserManager({ dataDir, logger });
  manager.account('person', { homeUrl: `${demo.url}/` });
  const remoteLogin = registerRemoteLogin(built.app, manager, { isAdmin: adminAuth, logger });
  await built.app.ready();
  return {
    app: built.app,
    demo,
    close: async () => {
      await remoteLogin.close();
      await built.close();
      await manager.close();
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
