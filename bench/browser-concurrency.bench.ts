/**
 * How many replies at once each transport mode carries before per-chunk latency degrades: the most
 * concurrent streams the machine holds with p95 chunk latency under 50 ms.
 * Run by hand: `node --import tsx bench/browser-concurrency.bench.ts`.
 *
 * - Modes: HTTP (baseline), in-page fetch, network capture and DOM, all over the demo site's SSE.
 * - Each step runs N simultaneous replies (N = 1, 2, 4, … 64) of `text-1` "count to 60 #<id>" paced
 *   at 20 ms per word (≈ 50 tokens/s per stream, ≈ 1.4 s per reply), for ROUNDS rounds (more for
 *   N < MIN_REPLIES). A mode stops at the first step whose chunk p95 reaches 50 ms, that has an
 *   error, that ran out of time, or whose replies did not all stream at once ("in flight (peak)":
 *   the most replies the site was writing at the same moment; queued replies are not concurrent).
 *   Chromium opens at most 6 HTTP/1.1 connections per host, and the demo site speaks HTTP/1.1, so
 *   SSE streams of one account queue beyond 6 in every browser mode (HTTP/2 sites multiplex).
 * - Per-chunk latency: the demo site runs in this process, so the moment it writes each text delta
 *   (SSE `res.write`) is on the same clock as the moment that text reaches the consumer. Writes are
 *   kept per response object; each response is tied to its consumer stream by the reply's first line
 *   (`digest=` of the user text, unique per prompt). Text is matched by cumulative length, as in
 *   `browser-transport.bench.ts`.
 * - TTFT: from `site.send()` to the first text event (includes waiting for a page in the UI modes).
 * - CPU: Chromium (all processes, over CDP) and this process (consumer side and demo site), as a
 *   percentage of one core over the step's rounds. PSS of the Chromium tree is read after the step
 *   (pages are then idle in the account's pool, still open), never while streams run.
 * - The UI modes need one page per concurrent reply: the account is created with a warm pool large
 *   enough, and the N pages are opened before the step (not timed). In-page fetch uses one page.
 * - Bounded: each step is cut at STEP_CAP_MS, each mode gets a fair share of RUN_BUDGET_MS.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDemoSite } from '../demo-site/src/index.ts';
import { createLogger } from '../src/core/logger.ts';
import {
  createDemoBrowserSite,
  type DemoBrowserMode,
} from '../src/sites/demo/browser/create-demo-browser-site.ts';
import { DemoSiteAdapter } from '../src/sites/demo/demo-site-adapter.ts';
import type { Site } from '../src/site-contract/site.ts';
import { BrowserManager } from '../src/transports/browser/browser-manager.ts';
import type { PageLease } from '../src/transports/browser/page-lease.ts';
import { HttpTransport } from '../src/transports/http/http-transport.ts';
import { chromiumCpuMs, chromiumPssMb, ms, quantile } from './support/chromium-metrics.ts';

const STEPS = [1, 2, 4, 8, 16, 32, 64];
const MAX_N = STEPS[STEPS.length - 1] ?? 64;
const ROUNDS = 2;
/** Small steps run more rounds, so their p95 rests on a few replies at least. */
const MIN_REPLIES = 4;
const P95_LIMIT_MS = 50;
const STEP_CAP_MS = 45_000;
const RUN_BUDGET_MS = 6 * 60_000;
const WORD_DELAY_MS = 20;
const logger = createLogger('silent');
const runStarted = performance.now();

// ---- server-side write times, per response (same process, same clock) ----

interface ServerStream {
  chunks: Array<{ at: number; chars: number }>;
  text: string;
}

let serverStreams = new Map<ServerResponse, ServerStream>();

function recordWrite(response: ServerResponse, text: string): void {
  if (!text.includes('event: text\n')) return;
  const at = performance.now();
  let stream = serverStreams.get(response);
  if (!stream) {
    stream = { chunks: [], text: '' };
    serverStreams.set(response, stream);
  }
  for (const match of text.matchAll(/event: text\ndata: (.*)\n/g)) {
    const delta = (JSON.parse(match[1] ?? '{}') as { delta: string }).delta;
    stream.chunks.push({ at, chars: delta.length });
    // Only the first line (which holds the digest) is needed to tie the response to its stream.
    if (stream.text.length < 200) stream.text += delta;
  }
}

const originalWrite = ServerResponse.prototype.write;
ServerResponse.prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
  if (typeof chunk === 'string') recordWrite(this, chunk);
  else if (chunk instanceof Uint8Array) recordWrite(this, Buffer.from(chunk).toString('utf8'));
  return (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof ServerResponse.prototype.write;

const digestOf = (text: string) => /digest=([0-9a-f]{12})/.exec(text)?.[1];

// ---- one stream, one round ----

interface StreamResult {
  ttft: number;
  arrivals: Array<{ at: number; cumulative: number }>;
  text: string;
  error?: string;
}

let promptSeq = 0;

async function runStream(site: Site, signal: AbortSignal): Promise<StreamResult> {
  const prompt = `count to 60 #${++promptSeq}`;
  const started = performance.now();
  const result: StreamResult = { ttft: Number.NaN, arrivals: [], text: '' };
  let finished = false;
  try {
    for await (const event of site.send({ model: 'text-1', text: prompt, attachments: [] }, signal)) {
      if (event.type === 'finish') finished = true;
      if (event.type !== 'text') continue;
      const at = performance.now();
      if (Number.isNaN(result.ttft)) result.ttft = at - started;
      result.text += event.delta;
      result.arrivals.push({ at, cumulative: result.text.length });
    }
    if (!finished) result.error = 'no finish event';
    else if (!/\b60\s*$/.test(result.text)) result.error = 'incomplete reply';
  } catch (error) {
    result.error = signal.aborted ? 'cut at the step time cap' : String(error).split('\n')[0];
  }
  return result;
}

/** Latency of each server chunk: until the consumer's text first covers it (as in the other bench). */
function chunkLatencies(server: ServerStream, arrivals: StreamResult['arrivals']): number[] {
  const out: number[] = [];
  let written = 0;
  let cursor = 0;
  for (const chunk of server.chunks) {
    written += chunk.chars;
    // Rendered text drops trailing whitespace: a chunk counts once its non-blank part arrived.
    const needed = written - (chunk.chars > 0 ? 1 : 0);
    while (cursor < arrivals.length && (arrivals[cursor]?.cumulative ?? 0) < needed) cursor++;
    const arrival = arrivals[cursor];
    if (arrival) out.push(arrival.at - chunk.at);
  }
  return out;
}

interface RoundResult {
  ttfts: number[];
  latencies: number[];
  errors: string[];
  /** Most replies the site was streaming at the same moment (first to last text write). */
  peakInFlight: number;
}

function peakOverlap(streams: Iterable<ServerStream>): number {
  const edges: Array<[number, number]> = [];
  for (const { chunks } of streams) {
    const first = chunks[0];
    const last = chunks.at(-1);
    if (first && last) edges.push([first.at, 1], [last.at, -1]);
  }
  // At equal times a start comes before an end: touching intervals overlap.
  edges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

async function runRound(site: Site, n: number, signal: AbortSignal): Promise<RoundResult> {
  serverStreams = new Map();
  const streams = await Promise.all(Array.from({ length: n }, () => runStream(site, signal)));
  const byDigest = new Map<string, ServerStream>();
  for (const server of serverStreams.values()) {
    const digest = digestOf(server.text);
    if (digest) byDigest.set(digest, server);
  }
  const out: RoundResult = {
    ttfts: [],
    latencies: [],
    errors: [],
    peakInFlight: peakOverlap(serverStreams.values()),
  };
  for (const stream of streams) {
    if (stream.error) {
      out.errors.push(stream.error);
      continue;
    }
    out.ttfts.push(stream.ttft);
    const digest = digestOf(stream.text);
    const server = digest ? byDigest.get(digest) : undefined;
    if (!server) {
      out.errors.push('could not tie the reply to its server response');
      continue;
    }
    out.latencies.push(...chunkLatencies(server, stream.arrivals));
  }
  return out;
}

// ---- modes ----

const demo = await startDemoSite({
  control: true,
  wordDelayMs: WORD_DELAY_MS,
  rateLimitPerMinute: 1_000_000,
  dailyQuotaPerModel: 10_000_000,
  maxConcurrentGenerations: 1024,
});
const dataDir = await mkdtemp(join(tmpdir(), 'wcg-concurrency-bench-'));
const manager = new BrowserManager({ dataDir, logger });
const credentials = { username: 'demo', password: 'demo-password' };

interface Mode {
  name: string;
  browser?: { mode: DemoBrowserMode; accountId: string };
}

const modes: Mode[] = [
  { name: 'http' },
  { name: 'in-page fetch (sse)', browser: { mode: 'in-page-fetch', accountId: 'conc-in-page-fetch' } },
  { name: 'network capture (sse)', browser: { mode: 'network-capture', accountId: 'conc-network-capture' } },
  { name: 'dom (sse)', browser: { mode: 'dom', accountId: 'conc-dom' } },
];

function siteFor(mode: Mode): Site {
  if (!mode.browser)
    return new DemoSiteAdapter({
      id: 'demo',
      baseUrl: demo.url,
      credentials,
      streaming: 'sse',
      transport: new HttpTransport(),
      logger,
    });
  return createDemoBrowserSite({
    id: 'demo',
    accountId: mode.browser.accountId,
    baseUrl: demo.url,
    credentials,
    streaming: 'sse',
    mode: mode.browser.mode,
    manager,
    // The UI modes take a page per reply in flight; released pages stay open for the next step.
    warmPages: mode.browser.mode === 'in-page-fetch' ? 1 : MAX_N + 1,
    logger,
  });
}

/** Opens `n` pages of the account (and returns them to the pool), so page loads are not timed. */
async function openPages(mode: Mode, n: number, deadline: number): Promise<boolean> {
  const account = mode.browser ? manager.findAccount(mode.browser.accountId) : undefined;
  if (!account || mode.browser?.mode === 'in-page-fetch') return true;
  const leases = Array.from({ length: n }, () => account.acquirePage());
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - performance.now()));
  });
  const opened = await Promise.race([Promise.allSettled(leases), timedOut]);
  clearTimeout(timer);
  const release = (lease: PageLease) => lease.release();
  for (const lease of leases) void lease.then(release, () => undefined);
  return opened !== 'timeout' && opened.every((result) => result.status === 'fulfilled');
}

interface StepRow {
  n: number;
  streams: number;
  peakInFlight: number;
  errors: string[];
  ttft50: number;
  chunk50: number;
  chunk95: number;
  chromeCpuPct: number;
  nodeCpuPct: number;
  pssMb: number;
  wallS: number;
  note: string;
}

const pct = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(0)} %`);
const mb = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(0)} MB`);

console.log(`# browser transport concurrency benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(
  `each step: N simultaneous text-1 "count to 60 #<id>" replies at ${WORD_DELAY_MS} ms/word, ${ROUNDS} rounds (≥ ${MIN_REPLIES} replies); stop at chunk p95 ≥ ${P95_LIMIT_MS} ms, an error, queued replies, or the time cap (${STEP_CAP_MS / 1000} s per step, ${RUN_BUDGET_MS / 60_000} min in all)\n`,
);

const table: string[] = [
  '| mode | N | replies | in flight (peak) | errors | TTFT p50 | chunk p50 | chunk p95 | Chromium CPU | Node CPU | Chromium PSS | step wall | note |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const verdicts: string[] = [];

for (const [index, mode] of modes.entries()) {
  const modeStarted = performance.now();
  const modeBudget = (RUN_BUDGET_MS - (modeStarted - runStarted) - 15_000) / (modes.length - index);
  const modeDeadline = modeStarted + modeBudget;
  const site = siteFor(mode);
  let best = 0;
  let stoppedBy = `passed every step up to N=${MAX_N}`;
  try {
    await site.listModels(AbortSignal.timeout(30_000));
    // Warm-up (not measured): the page, the session, JIT on both sides.
    for (let i = 0; i < 2; i++) await runRound(site, 1, AbortSignal.timeout(30_000));
    for (const n of STEPS) {
      const stepDeadline = Math.min(performance.now() + STEP_CAP_MS, modeDeadline);
      if (stepDeadline - performance.now() < 5_000) {
        stoppedBy = `time budget spent before N=${n}`;
        break;
      }
      if (!(await openPages(mode, n, stepDeadline))) {
        stoppedBy = `could not open ${n} pages in time`;
        table.push(
          `| ${mode.name} | ${n} | 0 | — | — | — | — | — | — | — | — | — | ${n} pages not open in time |`,
        );
        break;
      }
      const roundCount = Math.max(ROUNDS, Math.ceil(MIN_REPLIES / n));
      const signal = AbortSignal.timeout(Math.max(1, Math.round(stepDeadline - performance.now())));
      const chromeBefore = mode.browser ? await chromiumCpuMs(manager) : Number.NaN;
      setMaxListeners(4 * MAX_N, signal);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const rounds: RoundResult[] = [];
      for (let round = 0; round < roundCount && !signal.aborted; round++) {
        rounds.push(await runRound(site, n, signal));
        if (rounds.at(-1)?.errors.length) break;
      }
      const wall = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const chromeCpu = mode.browser ? (await chromiumCpuMs(manager)) - chromeBefore : Number.NaN;
      const pss = mode.browser ? await chromiumPssMb(manager) : Number.NaN;
      const latencies = rounds.flatMap((round) => round.latencies);
      const row: StepRow = {
        n,
        streams: rounds.length * n,
        peakInFlight: Math.max(0, ...rounds.map((round) => round.peakInFlight)),
        errors: rounds.flatMap((round) => round.errors),
        ttft50: quantile(
          rounds.flatMap((round) => round.ttfts),
          0.5,
        ),
        chunk50: quantile(latencies, 0.5),
        chunk95: quantile(latencies, 0.95),
        chromeCpuPct: (chromeCpu / wall) * 100,
        nodeCpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
        pssMb: pss,
        wallS: wall / 1000,
        note: '',
      };
      const cut = row.streams < roundCount * n && row.errors.length === 0;
      const queued = row.peakInFlight < n;
      const pass = row.errors.length === 0 && !cut && !queued && row.chunk95 < P95_LIMIT_MS;
      if (row.errors.length) {
        const kinds = [...new Set(row.errors)].join('; ');
        row.note = `errors: ${kinds}`;
        stoppedBy = `errors at N=${n}`;
      } else if (cut) {
        row.note = 'cut at the time cap';
        stoppedBy = `time cap at N=${n}`;
      } else if (queued) {
        row.note = `queued: at most ${row.peakInFlight} of ${n} streaming at once`;
        stoppedBy = `only ${row.peakInFlight} of ${n} streamed at once`;
      } else if (!pass) {
        row.note = `p95 ≥ ${P95_LIMIT_MS} ms`;
        stoppedBy = `p95 ${ms(row.chunk95)} at N=${n}`;
      }
      table.push(
        `| ${mode.name} | ${row.n} | ${row.streams} | ${row.peakInFlight} | ${row.errors.length} | ${ms(row.ttft50)} | ${ms(row.chunk50)} | ${ms(row.chunk95)} | ${pct(row.chromeCpuPct)} | ${pct(row.nodeCpuPct)} | ${mb(row.pssMb)} | ${row.wallS.toFixed(1)} s | ${row.note} |`,
      );
      console.error(
        `${mode.name} N=${n}: p95 ${ms(row.chunk95)}, in flight ${row.peakInFlight}, errors ${row.errors.length}`,
      );
      if (!pass) break;
      best = n;
    }
  } catch (error) {
    stoppedBy = `failed: ${String(error).split('\n')[0]}`;
  }
  verdicts.push(
    `max concurrent streams with p95 chunk < ${P95_LIMIT_MS} ms: ${mode.name}: ${best} (${stoppedBy})`,
  );
  console.error(`done: ${mode.name} (${((performance.now() - modeStarted) / 1000).toFixed(0)} s)`);
  await site.close().catch(() => undefined);
  // A fresh context for the next mode: this one's pages would weigh on its CPU and memory.
  if (mode.browser) await manager.findAccount(mode.browser.accountId)?.close();
}

console.log(table.join('\n'));
console.log('');
for (const verdict of verdicts) console.log(verdict);
console.log(
  `\nCPU is a percentage of one core (${cpus().length} cores); Node = this process (consumer side and demo site).`,
);
console.log(
  `browser library: patchright-core; Chromium ${(await manager.browser()).version()}; total ${((performance.now() - runStarted) / 1000).toFixed(0)} s`,
);

await manager.close();
await demo.close();
await rm(dataDir, { recursive: true, force: true });
