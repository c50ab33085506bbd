/**
 * What the account pool costs. Run by hand: `node --import tsx bench/account-pool.bench.ts [turns=20000]`.
 *
 * - Selection: a PooledSite of 20 in-process fake accounts × 10 models (each turn yields one text
 *   event and a finish), against calling a member's site directly, interleaved turn by turn. Per
 *   strategy, with every account healthy and with half of them cooling down for every model; with
 *   the logger silent and at `info` (the default, one line per turn) into a stream that drops it.
 * - Failover: one account answers a typed rate limit (GatewayError `rate_limit`, what the adapters
 *   throw on a 429) for one model. How many turns reach it (sequential, a burst of 64 at once, and
 *   over 3 s with a 50 ms minimum back-off), and what the failover turn costs over a normal one.
 * - Memory: PSS and USS (private pages; /proc/<pid>/smaps_rollup) of one Debian Chromium's process
 *   tree with 1, 2 and 4 browser contexts, each with one page on a loopback page: a tiny node:http
 *   page, then the demo site's chat app logged in as its own account.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { startDemoSite } from '../demo-site/src/index.ts';
import { GatewayError } from '../src/core/errors.ts';
import { createLogger, type Logger } from '../src/core/logger.ts';
import {
  SITE_INTERFACE_VERSION,
  type Site,
  type SiteEvent,
  type SiteTurn,
} from '../src/site-contract/site.ts';
import { HealthBook } from '../src/sites/pool/health-book.ts';
import { healthPolicyOf, POOL_DEFAULTS, type PoolSettings } from '../src/sites/pool/pool-config.ts';
import type { PoolMember } from '../src/sites/pool/pool-member.ts';
import { PooledSite } from '../src/sites/pool/pooled-site.ts';
import type { Strategy } from '../src/sites/pool/select-account.ts';
import { descendants, quantile } from './support/chromium-metrics.ts';
import { BASE_CHROMIUM_ARGS } from '../src/transports/browser/chromium-args.ts';

const TURNS = Number(process.argv[2] ?? 20_000);
const WARMUP = 2_000;
const ACCOUNTS = 20;
const MODELS = Array.from({ length: 10 }, (_, i) => `model-${i}`);
const CAPABILITIES = {
  threads: false,
  deleteThreads: false,
  uploads: false,
  acceptedMediaTypes: [],
  maxUploadBytes: 0,
  models: {
    vision: false,
    files: false,
    nativeTools: false,
    reasoning: false,
    systemPrompt: false,
    maxInputChars: 100_000,
  },
};
const signal = new AbortController().signal;
const us = (value: number): string => `${(value * 1000).toFixed(1)} µs`;

// ---- fake accounts ----

/** A site that answers every turn at once; `rateLimited` models throw a typed 429 instead. */
class FakeSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly capabilities = CAPABILITIES;
  calls = new Map<string, number>();
  constructor(
    readonly id: string,
    readonly rateLimited: ReadonlySet<string> = new Set(),
  ) {}
  async listModels() {
    return MODELS.map((id) => ({ id, displayName: id, capabilities: CAPABILITIES.models }));
  }
  async *send(turn: SiteTurn): AsyncIterable<SiteEvent> {
    this.calls.set(turn.model, (this.calls.get(turn.model) ?? 0) + 1);
    if (this.rateLimited.has(turn.model)) throw new GatewayError('rate_limit', `${this.id} is rate-limited`);
    yield { type: 'text', delta: 'hello' };
    yield { type: 'finish', reason: 'stop' };
  }
  async upload(): Promise<never> {
    throw new Error('no uploads');
  }
  async deleteThread() {}
  async checkSession() {
    return { state: 'ok' as const };
  }
  async login() {}
  async close() {}
}

function member(site: FakeSite): PoolMember {
  return {
    id: site.id,
    config: { id: site.id, enabled: true, weight: 1 },
    origin: 'config',
    site,
    inFlight: 0,
    slots: Number.POSITIVE_INFINITY,
    models: new Set(MODELS),
    starts: [],
    uploads: new Map(),
    keepAlive: undefined,
    browserAccountId: undefined,
    removed: false,
    close: async () => undefined,
  };
}

/** A pool of `sites` with the settings the AccountPool would derive (jitter 0.2, no store). */
function pool(sites: FakeSite[], logger: Logger, settings: Partial<PoolSettings> = {}): PooledSite {
  const s = { ...POOL_DEFAULTS, ...settings };
  const health = new HealthBook({
    siteId: 'bench',
    logger,
    policy: healthPolicyOf(s),
  });
  const pooled = new PooledSite({ id: 'bench', capabilities: CAPABILITIES, settings: s, health, logger });
  for (const site of sites) pooled.add(member(site));
  return pooled;
}

const accountIds = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${String(i).padStart(2, '0')}`);
const turnFor = (model: string): SiteTurn => ({ model, text: 'hi', attachments: [] });

/** Drains a reply; returns its text (a failed turn throws). */
async function drain(events: AsyncIterable<SiteEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'text') text += event.delta;
  return text;
}

async function timed(events: () => AsyncIterable<SiteEvent>): Promise<number> {
  const started = performance.now();
  await drain(events());
  return performance.now() - started;
}

// ---- a. selection overhead ----

async function selection(strategy: Strategy, cooling: boolean, logger: Logger, label: string): Promise<void> {
  const sites = accountIds.map((id) => new FakeSite(id));
  // The same fakes outside the pool, so that the pool's own use of its accounts can be counted.
  const bare = accountIds.map((id) => new FakeSite(id));
  const pooled = pool(sites, logger, { strategy });
  if (cooling) {
    for (const id of accountIds.slice(0, ACCOUNTS / 2)) {
      for (const model of MODELS) {
        pooled.health.recordError(id, model, { type: 'rate-limited', retryAfterMs: 3_600_000 }, 'bench');
      }
    }
  }
  const direct: number[] = [];
  const through: number[] = [];
  const paired: number[] = [];
  for (let i = 0; i < WARMUP + TURNS; i++) {
    const turn = turnFor(MODELS[i % MODELS.length] ?? 'model-0');
    const site = bare[i % ACCOUNTS] as FakeSite;
    // Alternate the order so that neither path always runs on a warmer cache.
    let d: number;
    let p: number;
    if (i % 2 === 0) {
      d = await timed(() => site.send(turn));
      p = await timed(() => pooled.send(turn, signal));
    } else {
      p = await timed(() => pooled.send(turn, signal));
      d = await timed(() => site.send(turn));
    }
    if (i < WARMUP) continue;
    direct.push(d);
    through.push(p);
    paired.push(p - d);
  }
  const served = sites.filter((site) => site.calls.size > 0).length;
  console.log(
    `| ${strategy} | ${cooling ? '10 of 20 cooling' : 'all healthy'} | ${label} | ${us(quantile(direct, 0.5))} / ${us(quantile(direct, 0.99))} | ${us(quantile(through, 0.5))} / ${us(quantile(through, 0.99))} | **${us(quantile(through, 0.5) - quantile(direct, 0.5))}** / ${us(quantile(through, 0.99) - quantile(direct, 0.99))} | ${us(quantile(paired, 0.5))} / ${us(quantile(paired, 0.99))} | ${served} |`,
  );
}

// ---- b. failover ----

const BAD = 'acct-00';
const LIMITED = 'model-0';
const failoverSites = (): FakeSite[] =>
  accountIds.map((id) => new FakeSite(id, id === BAD ? new Set([LIMITED]) : new Set()));
const badCalls = (sites: FakeSite[]): number => sites[0]?.calls.get(LIMITED) ?? 0;

async function failover(logger: Logger, label: string): Promise<void> {
  // Sequential: the first turn goes to acct-00 (round-robin starts at the first account).
  let sites = failoverSites();
  let pooled = pool(sites, logger);
  let ok = 0;
  for (let i = 0; i < 1000; i++) if ((await drain(pooled.send(turnFor(LIMITED), signal))) === 'hello') ok++;
  const state = pooled.health.get(BAD, LIMITED);
  console.log(
    `${label}: 1000 sequential turns: ${badCalls(sites)} reached ${BAD}, ${ok} answered; its state ${state?.status}, ${Math.round((state?.until ?? 0) - Date.now())} ms left, strikes ${state?.strikes}`,
  );

  // A burst: 64 turns started in the same tick, before any of them has failed.
  sites = failoverSites();
  pooled = pool(sites, logger);
  const replies = await Promise.allSettled(
    Array.from({ length: 64 }, () => drain(pooled.send(turnFor(LIMITED), signal))),
  );
  const burst = pooled.health.get(BAD, LIMITED);
  console.log(
    `${label}: burst of 64: ${badCalls(sites)} reached ${BAD}, ${replies.filter((r) => r.status === 'fulfilled').length} answered; strikes ${burst?.strikes}, cooldown ${Math.round((burst?.until ?? 0) - Date.now())} ms left (one 429 alone: ≈ 1000 ± 200 ms)`,
  );

  // Latency: a fresh pool per repetition, so its first turn fails over from acct-00.
  const failed: number[] = [];
  const normal: number[] = [];
  let reached = 0;
  const reps = 2000;
  for (let i = 0; i < 200 + reps; i++) {
    sites = failoverSites();
    pooled = pool(sites, logger);
    const f = await timed(() => pooled.send(turnFor(LIMITED), signal));
    const n = await timed(() => pooled.send(turnFor(LIMITED), signal));
    if (i < 200) continue;
    reached += badCalls(sites);
    failed.push(f);
    normal.push(n);
  }
  console.log(
    `${label}: failover turn p50 / p99 ${us(quantile(failed, 0.5))} / ${us(quantile(failed, 0.99))}; next turn ${us(quantile(normal, 0.5))} / ${us(quantile(normal, 0.99))}; added ${us(quantile(failed, 0.5) - quantile(normal, 0.5))} / ${us(quantile(failed, 0.99) - quantile(normal, 0.99))} (${reps} pools, ${reached} turns reached ${BAD})`,
  );
}

/** Sequential turns for 3 s, 1 ms apart, with a 50 ms minimum back-off: when does acct-00 get tried again? */
async function backoffOverTime(logger: Logger): Promise<void> {
  const sites = failoverSites();
  const pooled = pool(sites, logger, { backoffMinMs: 50 });
  const started = performance.now();
  const hits: number[] = [];
  let turns = 0;
  while (performance.now() - started < 3000) {
    const before = badCalls(sites);
    await drain(pooled.send(turnFor(LIMITED), signal));
    turns++;
    if (badCalls(sites) > before) hits.push(Math.round(performance.now() - started));
    await sleep(1);
  }
  console.log(
    `backoff 50 ms min, 3 s, ${turns} turns: ${hits.length} reached ${BAD}, at ${hits.join(', ')} ms`,
  );
}

// ---- c. memory per browser context ----

// The gateway's own flags, so the figure is what a browser account costs there.
const CHROMIUM_ARGS = BASE_CHROMIUM_ARGS;

interface Footprint {
  processes: number;
  /** Proportional set size: shared pages split among every process that maps them. */
  pss: number;
  /**
   * Private pages only (what closing the processes would free). Like PSS it drops when other
   * Chromiums on the machine map the same library pages, which then count as shared.
   */
  uss: number;
}

const kbField = (rollup: string, name: string): number =>
  Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);

/** Chromium processes under this one (Playwright starts the browser as our child), in MB. */
function chromiumFootprint(): Footprint {
  const total = { processes: 0, pss: 0, uss: 0 };
  for (const pid of descendants(process.pid).slice(1)) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('chrom')) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total.pss += kbField(rollup, 'Pss') / 1024;
      total.uss += (kbField(rollup, 'Private_Clean') + kbField(rollup, 'Private_Dirty')) / 1024;
      total.processes++;
    } catch {
      // Gone.
    }
  }
  return total;
}

/** Chromium processes on the machine that are not ours (other work sharing its library pages). */
function otherChromiums(): number {
  const ours = new Set(descendants(process.pid));
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || ours.has(Number(entry))) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('chrom')) count++;
    } catch {
      // Gone.
    }
  }
  return count;
}

/** Median (by PSS) of three samples 500 ms apart, after 2 s for the new page to settle. */
async function settledFootprint(): Promise<Footprint> {
  await sleep(2000);
  const samples: Footprint[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(chromiumFootprint());
    await sleep(500);
  }
  samples.sort((a, b) => a.pss - b.pss);
  return samples[1] as Footprint;
}

async function memory(
  label: string,
  url: string,
  login?: (n: number) => { username: string; password: string },
) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  try {
    const alone = await settledFootprint();
    console.log(
      `| ${label} | 0 (browser alone) | ${alone.processes} | ${mb(alone.pss)} / ${mb(alone.uss)} | — | — | ${otherChromiums()} |`,
    );
    let previous = alone;
    let open = 0;
    for (const target of [1, 2, 4]) {
      while (open < target) {
        const context = await browser.newContext();
        const account = login?.(open);
        if (account) {
          const answer = await context.request.post(`${url}/api/auth/login`, { data: account });
          if (!answer.ok()) throw new Error(`login ${account.username}: ${answer.status()}`);
        }
        const page = await context.newPage();
        await page.goto(url, { waitUntil: 'load' });
        open++;
      }
      const now = await settledFootprint();
      const added = target === 1 ? 1 : target / 2;
      console.log(
        `| ${label} | ${target} | ${now.processes} | ${mb(now.pss)} / ${mb(now.uss)} | ${mb((now.pss - alone.pss) / target)} / ${mb((now.uss - alone.uss) / target)} | ${mb((now.pss - previous.pss) / added)} / ${mb((now.uss - previous.uss) / added)} | ${otherChromiums()} |`,
      );
      previous = now;
    }
  } finally {
    await browser.close();
  }
}

// ---- run ----

const silent = createLogger('silent');
// `info` is the default level: the pool writes one line per accepted turn; serialised, then dropped.
const info = createLogger(
  'info',
  new Writable({
    write: (_chunk, _encoding, done) => done(),
  }),
);

console.log(
  `## a. selection overhead, ${TURNS} turns per row after ${WARMUP} warm-up, 20 accounts × 10 models`,
);
console.log(
  '| strategy | health | logger | direct p50 / p99 | pooled p50 / p99 | added p50 / p99 | paired diff p50 / p99 | accounts used |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const strategy of ['round-robin', 'least-busy', 'weighted'] as const) {
  for (const cooling of [false, true]) await selection(strategy, cooling, silent, 'silent');
}
for (const cooling of [false, true]) await selection('round-robin', cooling, info, 'info → null stream');

console.log('\n## b. failover (acct-00 answers rate_limit for model-0; round-robin, default pool settings)');
await failover(silent, 'silent');
await failover(info, 'info → null stream');
await backoffOverTime(silent);

console.log('\n## c. Chromium PSS and USS (private pages) per browser context (one page each)');
console.log(
  '| page | contexts | processes | PSS / USS total | per context over browser alone (PSS / USS) | per context added in this step (PSS / USS) | other Chromium processes on the machine |',
);
console.log('|---|---|---|---|---|---|---|');
const tiny = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(
    '<!doctype html><html><head><title>account</title></head><body><p>account page</p></body></html>',
  );
});
await new Promise<void>((resolve) => tiny.listen(0, '127.0.0.1', resolve));
try {
  await memory('tiny node:http page', `http://127.0.0.1:${(tiny.address() as AddressInfo).port}/`);
} finally {
  tiny.close();
}
const accounts = Array.from({ length: 4 }, (_, i) => ({
  username: `bench-${i}`,
  password: `bench-password-${i}`,
}));
const demo = await startDemoSite({ accounts, logLevel: 'silent' });
try {
  await memory('demo chat app, logged in', demo.url, (n) => accounts[n] as (typeof accounts)[number]);
} finally {
  await demo.close();
}
const left = descendants(process.pid)
  .slice(1)
  .filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('chrom');
    } catch {
      return false;
    }
  });
console.log(`\nChromium processes left after close: ${left.length}`);
