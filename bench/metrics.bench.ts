// Metrics and live-request tracking (issue 20). Run by hand: `node --import tsx bench/metrics.bench.ts`.
// 1. Request-path overhead, side by side: one chat request's bookkeeping (a response close
//    listener, live tracking, 50 output deltas, a usage event, the close) with metrics and live
//    tracking on, against the same loop with both off. The difference is what the gateway adds.
// 2. `/metrics` scrape time with 20 pooled accounts × 10 models, every (account, model) cooling
//    down (the most series the account gauges can hold), plus the default Node metrics.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AccountPool } from '../src/sites/pool/account-pool.ts';
import { LiveRequests } from '../src/server/operations/live-requests.ts';
import { GatewayMetrics } from '../src/server/operations/metrics.ts';
import { registerStateCollectors } from '../src/server/operations/metrics-collectors.ts';

const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const ROUNDS = 7;
const DELTAS = 50;

function fakeResponse(): ServerResponse {
  const response = new EventEmitter() as EventEmitter & { writableFinished: boolean; statusCode: number };
  response.writableFinished = true;
  response.statusCode = 200;
  return response as unknown as ServerResponse;
}

function oneRequest(metrics: GatewayMetrics | undefined, live: LiveRequests | undefined, id: number): void {
  const response = fakeResponse();
  const observed = metrics?.startChat('/v1/chat/completions', response);
  const tracked = live?.track(
    {
      requestId: `req_${id}`,
      userId: 'alice',
      keyId: 'key',
      model: 'demo/fast-1',
      dialect: 'openai',
      stream: true,
    },
    () => {},
  );
  if (observed) observed.model = 'demo/fast-1';
  for (let i = 0; i < DELTAS; i++) {
    tracked?.noteOutput(5);
    observed?.output();
  }
  observed?.usage(120, 250);
  tracked?.done();
  response.emit('close');
}

/** µs per request, p50 over rounds of REQUESTS each (a fresh response object per request both ways). */
function measure(on: boolean): number[] {
  const metrics = on ? new GatewayMetrics({ defaultMetrics: false }) : undefined;
  const live = on ? new LiveRequests() : undefined;
  const perRequest: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) oneRequest(metrics, live, i);
    perRequest.push(((performance.now() - started) * 1000) / REQUESTS);
  }
  return perRequest.sort((a, b) => a - b);
}

measure(true); // warm-up of both paths
measure(false);
const rows: Array<{ on: number; off: number }> = [];
for (let i = 0; i < 3; i++) {
  const off = measure(false);
  const on = measure(true);
  rows.push({ on: on[ROUNDS >> 1]!, off: off[ROUNDS >> 1]! });
}
const p50 = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
const on = p50(rows.map((r) => r.on));
const off = p50(rows.map((r) => r.off));
console.log(
  `request path, ${DELTAS} deltas per request: off ${off.toFixed(2)} µs, on ${on.toFixed(2)} µs, added ${(on - off).toFixed(2)} µs (p50 of ${ROUNDS}×${REQUESTS})`,
);

// 20 accounts × 10 models, every one cooling down; the metrics registry with its default metrics.
const now = Date.now();
const MODELS = Array.from({ length: 10 }, (_, i) => `model-${i}`);
const members = Array.from({ length: 20 }, (_, i) => ({
  id: `account-${i}`,
  config: { enabled: true },
  inFlight: i % 3,
  keepAlive: { logins: i },
}));
const health = Object.fromEntries(
  MODELS.map((model) => [
    model,
    { status: 'cooling', reason: 'rate limited', until: now + 600_000, strikes: 1 },
  ]),
);
const pool = {
  siteId: 'demo',
  site: { members: () => members, health: { of: () => health } },
} as unknown as AccountPool;
const metrics = new GatewayMetrics();
registerStateCollectors(metrics.registry, {
  pools: new Map([['demo', pool]]),
  keepAlives: new Map(),
  liveRequests: new LiveRequests(),
});
for (let i = 0; i < 1000; i++) oneRequest(metrics, undefined, i);
const scrapes: number[] = [];
let bytes = 0;
for (let i = 0; i < 200; i++) {
  const started = performance.now();
  bytes = (await metrics.registry.metrics()).length;
  scrapes.push(performance.now() - started);
}
scrapes.sort((a, b) => a - b);
console.log(
  `/metrics with 20 accounts × 10 models: p50 ${scrapes[100]!.toFixed(2)} ms, p95 ${scrapes[190]!.toFixed(2)} ms, ${(bytes / 1024).toFixed(1)} KB`,
);
