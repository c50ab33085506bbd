/**
 * What driving the demo site through Chromium costs, side by side with the plain HTTP transport.
 * Run by hand: `node --import tsx bench/browser-transport.bench.ts [runs=20]`.
 *
 * - TTFT: from `site.send()` to the first text event, per mode; "added" is the median minus HTTP's.
 * - Per-chunk relay latency: the demo site runs in this process, so the moment it writes each text
 *   delta (SSE `res.write` / WebSocket `send`) is recorded on the same clock as the moment that text
 *   reaches the consumer. Text is matched by cumulative length, so coalesced deltas (DOM mode) count
 *   from when each original chunk was written. Measured on `fast-1` (200 chunks, no pacing: a burst)
 *   and on `text-1` paced at 20 ms per word (how real sites stream).
 * - CPU per reply: this process (gateway side and demo site together) and all Chromium processes.
 * - PSS: sum of /proc/<pid>/smaps_rollup Pss over the Chromium process tree after each step.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startDemoSite } from '../demo-site/src/index.ts';
import { createLogger } from '../src/core/logger.ts';
import {
  createDemoBrowserSite,
  type DemoBrowserMode,
} from '../src/sites/demo/browser/create-demo-browser-site.ts';
import { DemoSiteAdapter } from '../src/sites/demo/demo-site-adapter.ts';
import type { Site } from '../src/site-contract/site.ts';
import { BrowserManager } from '../src/transports/browser/browser-manager.ts';
import { HttpTransport } from '../src/transports/http/http-transport.ts';
import { chromiumCpuMs, chromiumPssMb, ms, quantile } from './support/chromium-metrics.ts';

const RUNS = Number(process.argv[2] ?? 20);
const WARMUP = 2;
const logger = createLogger('silent');

// ---- server-side write times (same process, same clock) ----

let serverChunks: Array<{ at: number; chars: number }> = [];

function recordDeltas(text: string): void {
  const at = performance.now();
  for (const match of text.matchAll(/event: text\ndata: (.*)\n/g)) {
    serverChunks.push({ at, chars: (JSON.parse(match[1] ?? '{}') as { delta: string }).delta.length });
  }
  if (text.startsWith('{"type":"text"')) {
    serverChunks.push({ at, chars: (JSON.parse(text) as { delta: string }).delta.length });
  }
}

const originalWrite = ServerResponse.prototype.write;
ServerResponse.prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
  if (typeof chunk === 'string') recordDeltas(chunk);
  return (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof ServerResponse.prototype.write;
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
  if (typeof data === 'string') recordDeltas(data);
  return (originalSend as (...args: unknown[]) => void).call(this, data, ...rest);
} as typeof WebSocket.prototype.send;

// ---- measurement helpers ----

interface RunResult {
  ttft: number;
  chunkLatencies: number[];
  nodeCpuMs: number;
  chromeCpuMs: number;
}

async function runOnce(site: Site, model: string, text: string, manager: BrowserManager): Promise<RunResult> {
  serverChunks = [];
  const chromeBefore = await chromiumCpuMs(manager);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let ttft = Number.NaN;
  let received = 0;
  const arrivals: Array<{ at: number; cumulative: number }> = [];
  for await (const event of site.send({ model, text, attachments: [] }, AbortSignal.timeout(60_000))) {
    if (event.type !== 'text') continue;
    const at = performance.now();
    if (Number.isNaN(ttft)) ttft = at - started;
    received += event.delta.length;
    arrivals.push({ at, cumulative: received });
  }
  const cpu = process.cpuUsage(cpuBefore);
  const chromeAfter = await chromiumCpuMs(manager);
  // Each server chunk is delivered when the consumer's text first covers it. Rendered text drops
  // trailing whitespace, so a chunk counts as covered once its non-blank part arrived.
  const chunkLatencies: number[] = [];
  let written = '';
  let cursor = 0;
  for (const chunk of serverChunks) {
    written += 'x'.repeat(chunk.chars);
    const needed = written.length - (chunk.chars > 0 ? 1 : 0);
    while (cursor < arrivals.length && (arrivals[cursor]?.cumulative ?? 0) < needed) cursor++;
    const arrival = arrivals[cursor];
    if (arrival) chunkLatencies.push(arrival.at - chunk.at);
  }
  return {
    ttft,
    chunkLatencies,
    nodeCpuMs: (cpu.user + cpu.system) / 1000,
    chromeCpuMs: chromeAfter - chromeBefore,
  };
}

// ---- the run ----

const demo = await startDemoSite({
  control: true,
  fastChunks: 200,
  wordDelayMs: 20,
  rateLimitPerMinute: 1_000_000,
  dailyQuotaPerModel: 10_000_000,
  maxConcurrentGenerations: 64,
});
const dataDir = await mkdtemp(join(tmpdir(), 'wcg-browser-bench-'));
const manager = new BrowserManager({ dataDir, logger });
const credentials = { username: 'demo', password: 'demo-password' };

const modes: Array<{ name: string; site: () => Site }> = [
  {
    name: 'http',
    site: () =>
      new DemoSiteAdapter({
        id: 'demo',
        baseUrl: demo.url,
        credentials,
        streaming: 'sse',
        transport: new HttpTransport(),
        logger,
      }),
  },
  ...(
    [
      ['in-page-fetch', 'sse'],
      ['network-capture', 'sse'],
      ['network-capture', 'ws'],
      ['dom', 'sse'],
    ] as Array<[DemoBrowserMode, 'sse' | 'ws']>
  ).map(([mode, streaming]) => ({
    name: `${mode} (${streaming})`,
    site: () =>
      createDemoBrowserSite({
        id: 'demo',
        accountId: `${mode}-${streaming}`,
        baseUrl: demo.url,
        credentials,
        streaming,
        mode,
        manager,
        logger,
      }),
  })),
];

console.log(`# browser transport benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(
  `runs per case: ${RUNS} (+${WARMUP} warm-up); fast-1 = 200 chunks unpaced; paced = text-1 "count to 60" at 20 ms/word\n`,
);

// Memory first, on a fresh browser: the browser alone, then account contexts and pages.
await manager.browser();
await new Promise((resolve) => setTimeout(resolve, 1000));
const pssBrowser = await chromiumPssMb(manager);
const memorySteps: string[] = [`browser alone: ${pssBrowser.toFixed(0)} MB`];
const memA = manager.account('mem-a', { homeUrl: `${demo.url}/login` });
const leaseA = await memA.acquirePage();
await new Promise((resolve) => setTimeout(resolve, 500));
const pssOne = await chromiumPssMb(manager);
memorySteps.push(`+1 account context with its page: +${(pssOne - pssBrowser).toFixed(0)} MB`);
const memB = manager.account('mem-b', { homeUrl: `${demo.url}/login` });
const leaseB = await memB.acquirePage();
await new Promise((resolve) => setTimeout(resolve, 500));
const pssTwo = await chromiumPssMb(manager);
memorySteps.push(`+1 more account context with its page: +${(pssTwo - pssOne).toFixed(0)} MB`);
const leaseA2 = await memA.acquirePage();
await new Promise((resolve) => setTimeout(resolve, 500));
const pssPage = await chromiumPssMb(manager);
memorySteps.push(`+1 page (login page) in an existing context: +${(pssPage - pssTwo).toFixed(0)} MB`);
for (const lease of [leaseA, leaseB, leaseA2]) await lease.discard();

const table: string[] = [
  '| mode | TTFT p50 | TTFT p95 | added TTFT p50 | TTFT p50 (paced) | added TTFT p50 (paced) | first text write → consumer p50 (paced) | chunk p50 (fast-1) | chunk p95 (fast-1) | chunk p50 (paced) | chunk p95 (paced) | Node CPU/reply | Chromium CPU/reply |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
let httpTtft = Number.NaN;
let httpPacedTtft = Number.NaN;
for (const mode of modes) {
  const site = mode.site();
  await site.listModels();
  const fast: RunResult[] = [];
  const paced: RunResult[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const result = await runOnce(site, 'fast-1', `hello ${i}`, manager);
    if (i >= WARMUP) fast.push(result);
  }
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const result = await runOnce(site, 'text-1', 'count to 60', manager);
    if (i >= WARMUP) paced.push(result);
  }
  const ttfts = fast.map((run) => run.ttft);
  const ttft50 = quantile(ttfts, 0.5);
  const pacedTtft50 = quantile(
    paced.map((run) => run.ttft),
    0.5,
  );
  if (mode.name === 'http') {
    httpTtft = ttft50;
    httpPacedTtft = pacedTtft50;
  }
  // The first chunk's latency: from the site writing the first text to the consumer having it,
  // i.e. TTFT without the time it took to make the site answer (for the UI modes, driving the UI).
  const firstRelay50 = quantile(
    paced.map((run) => run.chunkLatencies[0] ?? Number.NaN),
    0.5,
  );
  const fastChunks = fast.flatMap((run) => run.chunkLatencies);
  const pacedChunks = paced.flatMap((run) => run.chunkLatencies);
  const cpu = (runs: RunResult[], key: 'nodeCpuMs' | 'chromeCpuMs') =>
    quantile(
      runs.map((run) => run[key]),
      0.5,
    );
  table.push(
    `| ${mode.name} | ${ms(ttft50)} | ${ms(quantile(ttfts, 0.95))} | ${mode.name === 'http' ? '—' : ms(ttft50 - httpTtft)} | ${ms(pacedTtft50)} | ${mode.name === 'http' ? '—' : ms(pacedTtft50 - httpPacedTtft)} | ${ms(firstRelay50)} | ${ms(quantile(fastChunks, 0.5))} | ${ms(quantile(fastChunks, 0.95))} | ${ms(quantile(pacedChunks, 0.5))} | ${ms(quantile(pacedChunks, 0.95))} | ${ms(cpu(fast, 'nodeCpuMs'))} | ${ms(cpu(fast, 'chromeCpuMs'))} |`,
  );
  console.error(`done: ${mode.name}`);
  await site.close();
}

console.log(table.join('\n'));
console.log('\nPSS of the Chromium process tree:');
for (const step of memorySteps) console.log(`- ${step}`);
console.log(`\nbrowser library: patchright-core; Chromium ${(await manager.browser()).version()}`);

await manager.close();
await demo.close();
await rm(dataDir, { recursive: true, force: true });
