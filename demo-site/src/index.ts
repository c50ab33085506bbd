import type { AddressInfo } from 'node:net';
import { type AccountFaults, AccountFaultsSchema, type StandingAccountFaults } from './account-faults.ts';
import { applyAccountFaults, applyFaults, resetSite, siteStats } from './context.ts';
import { type DemoFaults, FaultsSchema, type StandingFaults } from './faults.ts';
import { type DemoSiteOptions, resolveOptions } from './options.ts';
import { attachWebSocket } from './routes/ws.ts';
import { buildSite } from './server.ts';
import type { DemoStats } from './stats.ts';
import type { ReceivedMessage } from './store/received-log.ts';

export type { AccountFaults, StandingAccountFaults } from './account-faults.ts';
export type { DemoFaults, StandingFaults } from './faults.ts';
export type { ModelId, ModelInfo } from './models.ts';
export type { DemoAccountConfig, DemoLogLevel, DemoSiteOptions } from './options.ts';
export { DEFAULT_ACCOUNTS, DEFAULT_OPTIONS } from './options.ts';
export type { DemoStats } from './stats.ts';
export type { ReceivedMessage } from './store/received-log.ts';

export interface DemoSite {
  /** e.g. `http://127.0.0.1:4100` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<DemoSiteOptions>;
  stats(): DemoStats;
  /** Same as `POST /__control/faults` (works even when the control routes are off). */
  setFaults(faults: DemoFaults): void;
  faults(): StandingFaults;
  /** Same as `POST /__control/accounts/:username/faults` (throws for an unknown account). */
  setAccountFaults(username: string, faults: AccountFaults): void;
  accountFaults(username: string): StandingAccountFaults;
  /** Same as `POST /__control/reset`. */
  reset(): void;
  /** What the site received for a thread, oldest first (survives thread deletion). */
  threadLog(threadId: string): ReceivedMessage[] | undefined;
  /** The latest messages received on any thread, oldest first. */
  receivedMessages(limit?: number): ReceivedMessage[];
  close(): Promise<void>;
}

export async function startDemoSite(options: Partial<DemoSiteOptions> = {}): Promise<DemoSite> {
  const resolved = resolveOptions(options);
  const { app, ctx } = await buildSite(resolved);
  const ws = attachWebSocket(app.server, ctx);
  await app.listen({ host: resolved.host, port: resolved.port });
  const { port } = app.server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    options: resolved,
    stats: () => siteStats(ctx),
    setFaults: (faults) => applyFaults(ctx, FaultsSchema.parse(faults)),
    faults: () => ctx.faults.snapshot(),
    setAccountFaults: (username, faults) =>
      applyAccountFaults(ctx, username, AccountFaultsSchema.parse(faults)),
    accountFaults: (username) => ctx.accountFaults.snapshot(username),
    reset: () => resetSite(ctx),
    threadLog: (threadId) => ctx.received.forThread(threadId),
    receivedMessages: (limit) => ctx.received.recent(limit),
    close() {
      closing ??= (async () => {
        await ctx.generations.stopAll();
        ws.close();
        await app.close();
      })();
      return closing;
    },
  };
}
