import type { FastifyBaseLogger } from 'fastify';
import { type AccountFaults, AccountFaultState } from './account-faults.ts';
import { AccountStore } from './auth/accounts.ts';
import { SessionStore } from './auth/sessions.ts';
import { DemoError } from './errors.ts';
import { type DemoFaults, FaultState } from './faults.ts';
import { GenerationManager } from './generation/manager.ts';
import { Limits } from './limits.ts';
import type { DemoSiteOptions } from './options.ts';
import { type DemoStats, StatsCounters } from './stats.ts';
import { FileStore } from './store/files.ts';
import { ReceivedLog } from './store/received-log.ts';
import { ThreadStore } from './store/threads.ts';

/** Everything one site instance owns. Nothing lives at module level, so instances stay independent. */
export interface SiteContext {
  options: DemoSiteOptions;
  log: FastifyBaseLogger;
  accounts: AccountStore;
  sessions: SessionStore;
  threads: ThreadStore;
  files: FileStore;
  received: ReceivedLog;
  limits: Limits;
  faults: FaultState;
  /** Switches for single accounts (`/__control/accounts/:username/faults`). */
  accountFaults: AccountFaultState;
  stats: StatsCounters;
  generations: GenerationManager;
  /** Open WebSocket connections, so that the `dropWebSockets` fault can cut them. */
  openSockets: Set<{ terminate(): void }>;
}

export async function createContext(options: DemoSiteOptions, log: FastifyBaseLogger): Promise<SiteContext> {
  const stats = new StatsCounters();
  const generations = new GenerationManager(
    {
      onEnd(generation, end) {
        if (end !== 'client_abort') return;
        stats.increment('clientAborts');
        log.info(
          { messageId: generation.messageId, threadId: generation.threadId },
          'client aborted the stream',
        );
      },
    },
    log,
  );
  return {
    options,
    log,
    accounts: await AccountStore.create(options.accounts),
    sessions: new SessionStore(options.sessionTtlSeconds),
    threads: new ThreadStore(),
    files: new FileStore(),
    received: new ReceivedLog(),
    limits: new Limits(options.rateLimitPerMinute, options.dailyQuotaPerModel),
    faults: new FaultState(),
    accountFaults: new AccountFaultState(),
    stats,
    generations,
    openSockets: new Set(),
  };
}

/** Same semantics as `POST /__control/faults`: replaces the standing switches, runs the one-shot ones. */
export function applyFaults(ctx: SiteContext, faults: DemoFaults): void {
  ctx.faults.replace(faults);
  if (faults.forceLogout) ctx.sessions.destroyAll();
  if (faults.expireSessions) ctx.sessions.expireAll();
  if (faults.dropWebSockets) for (const socket of [...ctx.openSockets]) socket.terminate();
  ctx.log.info({ faults }, 'faults set');
}

/** Same semantics as `POST /__control/accounts/:username/faults`; 404 for an unknown account. */
export function applyAccountFaults(ctx: SiteContext, username: string, faults: AccountFaults): void {
  if (!ctx.accounts.has(username)) throw new DemoError(404, 'account_not_found', `No account ${username}.`);
  ctx.accountFaults.replace(username, faults);
  if (faults.forceLogout) ctx.sessions.destroyFor(username);
  ctx.log.info({ username, faults }, 'account faults set');
}

/** Clears faults (global and per account), counters and limit state; accounts, sessions, threads and files stay. */
export function resetSite(ctx: SiteContext): void {
  ctx.faults.replace({});
  ctx.accountFaults.reset();
  ctx.stats.reset();
  ctx.limits.reset();
}

export function siteStats(ctx: SiteContext): DemoStats {
  return ctx.stats.snapshot(ctx.generations.activeCount());
}
