/**
 * The gauges of state for `/metrics`: each reads what it shows in its `collect()` callback, at
 * scrape time, so none of them costs anything on the request path. Sources: the admission
 * snapshot (queues, waits), the account pools (states, cooldowns, in-flight), the session
 * keep-alives (re-logins), the shared Chromium (pages, contexts) and the live requests.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdmissionSnapshot } from '../../admission/admission.ts';
import type { KeepAlive } from '../../sites/accounts/session-keep-alive.ts';
import { type HealthState, WHOLE_ACCOUNT } from '../../sites/pool/account-health.ts';
import type { AccountPool } from '../../sites/pool/account-pool.ts';
import type { PoolMember } from '../../sites/pool/pool-member.ts';
import type { BrowserManager } from '../../transports/browser/browser-manager.ts';
import { METRIC_PREFIX } from './metrics.ts';

export interface MetricsSources {
  admission?: { snapshot(): AdmissionSnapshot } | undefined;
  pools: Map<string, AccountPool>;
  /** Keep-alives of sites without a pool (a pooled member carries its own). */
  keepAlives: Map<string, KeepAlive>;
  browser?: BrowserManager | undefined;
  liveRequests: { readonly size: number };
}

/** Every state an account is shown in (`/admin/api/accounts` `status`); each gets a 0/1 series. */
export const ACCOUNT_STATES = ['ok', 'failing', 'cooling', 'needs-login', 'banned', 'disabled'] as const;

/** The account's state as the admin API shows it; a cooldown that has run out counts as ok. */
export function accountState(member: PoolMember, whole: HealthState | undefined, now: number): string {
  if (!member.config.enabled) return 'disabled';
  if (!whole) return 'ok';
  if (whole.status === 'disabled') return 'banned';
  if (whole.status === 'cooling' && (whole.until ?? 0) <= now) return 'ok';
  return whole.status;
}

const members = (pools: Map<string, AccountPool>) =>
  [...pools.values()].flatMap((pool) => pool.site.members().map((member) => ({ pool, member })));

export function registerStateCollectors(registry: Registry, sources: MetricsSources): void {
  const registers = [registry];
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  new Gauge({
    name: name('live_requests'),
    help: 'Chat requests admitted and not finished yet.',
    registers,
    collect() {
      this.set(sources.liveRequests.size);
    },
  });

  const snapshot = () => sources.admission?.snapshot();
  new Gauge({
    name: name('queue_depth'),
    help: 'Requests waiting for an account slot, per admission queue.',
    labelNames: ['site', 'account'],
    registers,
    collect() {
      this.reset();
      for (const [key, queue] of Object.entries(snapshot()?.accounts ?? {}))
        this.set(queueLabels(key), queue.queued);
    },
  });
  new Gauge({
    name: name('queue_active'),
    help: 'Requests holding an account slot, per admission queue.',
    labelNames: ['site', 'account'],
    registers,
    collect() {
      this.reset();
      for (const [key, queue] of Object.entries(snapshot()?.accounts ?? {}))
        this.set(queueLabels(key), queue.active);
    },
  });
  new Gauge({
    name: name('queue_wait_seconds'),
    help: 'Queue wait over the last 1000 admitted requests: p50, p99, mean, and the max since start.',
    labelNames: ['stat'],
    registers,
    collect() {
      this.reset();
      const wait = snapshot()?.wait;
      if (!wait) return;
      this.set({ stat: 'p50' }, wait.p50Ms / 1000);
      this.set({ stat: 'p99' }, wait.p99Ms / 1000);
      this.set({ stat: 'mean' }, wait.meanMs / 1000);
      this.set({ stat: 'max' }, wait.maxMs / 1000);
    },
  });
  new Counter({
    name: name('admitted_total'),
    help: 'Requests admitted by the admission step since start.',
    registers,
    collect() {
      this.reset();
      this.inc(snapshot()?.admitted ?? 0);
    },
  });
  new Counter({
    name: name('admission_rejections_total'),
    help: 'Requests refused by the admission step, by reason (rpm, tpm, concurrency, queue_full …).',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(snapshot()?.rejections ?? {})) this.inc({ reason }, count);
    },
  });

  new Gauge({
    name: name('account_state'),
    help: 'Pooled site accounts: 1 for the state each is in, 0 for the others.',
    labelNames: ['site', 'account', 'state'],
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      for (const { pool, member } of members(sources.pools)) {
        const state = accountState(member, pool.site.health.of(member.id)[WHOLE_ACCOUNT], now);
        for (const candidate of ACCOUNT_STATES) {
          this.set({ site: pool.siteId, account: member.id, state: candidate }, candidate === state ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: name('account_in_flight'),
    help: 'Generations running on each pooled site account.',
    labelNames: ['site', 'account'],
    registers,
    collect() {
      this.reset();
      for (const { pool, member } of members(sources.pools))
        this.set({ site: pool.siteId, account: member.id }, member.inFlight);
    },
  });
  new Gauge({
    name: name('account_cooldown_seconds'),
    help: 'Seconds left of each running cooldown, per account and model ("*" = the whole account).',
    labelNames: ['site', 'account', 'model'],
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      for (const { pool, member } of members(sources.pools)) {
        for (const [model, state] of Object.entries(pool.site.health.of(member.id))) {
          if (state.status !== 'cooling' || state.until === undefined || state.until <= now) continue;
          this.set({ site: pool.siteId, account: member.id, model }, (state.until - now) / 1000);
        }
      }
    },
  });
  new Counter({
    name: name('relogins_total'),
    help: 'Logins run by session keep-alive because a session had ended (per running account; an account removed takes its count with it).',
    registers,
    collect() {
      this.reset();
      const all = new Set(sources.keepAlives.values());
      for (const { member } of members(sources.pools)) if (member.keepAlive) all.add(member.keepAlive);
      let logins = 0;
      for (const keepAlive of all) logins += keepAlive.logins;
      this.inc(logins);
    },
  });

  const browser = sources.browser;
  if (!browser) return;
  new Counter({
    name: name('browser_launches_total'),
    help: 'Times Chromium was started (more than one: relaunched after a crash).',
    registers,
    collect() {
      this.reset();
      this.inc(browser.launches);
    },
  });
  // Pages and contexts are read from the accounts' open pages: nothing is opened to count them.
  const browserCounts = async () => {
    const ids = new Set(sources.keepAlives.keys());
    for (const { member } of members(sources.pools))
      if (member.browserAccountId) ids.add(member.browserAccountId);
    let pages = 0;
    const contexts = new Set<unknown>();
    for (const id of ids) {
      const open = (await browser.findAccount(id)?.openPages()) ?? [];
      pages += open.length;
      for (const page of open) contexts.add(page.context());
    }
    return { pages, contexts: contexts.size };
  };
  new Gauge({
    name: name('browser_pages'),
    help: 'Open Chromium pages of the site accounts.',
    registers,
    async collect() {
      this.set((await browserCounts()).pages);
    },
  });
  new Gauge({
    name: name('browser_contexts'),
    help: 'Chromium contexts of the site accounts that have an open page.',
    registers,
    async collect() {
      this.set((await browserCounts()).contexts);
    },
  });
}

/** `site:account`, the admission queue's key, as two labels. */
function queueLabels(key: string): { site: string; account: string } {
  const at = key.lastIndexOf(':');
  return at < 0 ? { site: key, account: 'default' } : { site: key.slice(0, at), account: key.slice(at + 1) };
}
