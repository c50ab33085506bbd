// Gateway overhead against the demo site's fast model, side by side with calling the demo site's
// own API directly (issue 3). Run by hand: `node --import tsx bench/gateway-overhead.bench.ts`.
// Loopback only; bounded in count and time.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';

const SINGLE_RUNS = Number(process.env.RUNS ?? 300);
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 8);

async function startChild(script: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, info: JSON.parse(line) as Record<string, string | number> };
}

// The site and the gateway run in separate processes, as a real site runs elsewhere.
const site = await startChild('bench/support/serve-demo-site.ts');
const demoUrl = String(site.info.demoUrl);
// GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/gw-profile" profiles the gateway process.
const gatewayProcess = await startChild(
  'bench/support/serve-gateway.ts',
  { DEMO_URL: demoUrl },
  (process.env.GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
);
const gatewayUrl = String(gatewayProcess.info.gatewayUrl);
const key = String(gatewayProcess.info.key);
const dispatcher = new Agent({ connections: 256, pipelining: 1 });

// Direct path: log in to the demo site like the adapter does, then POST /api/chat.
const login = await request(`${demoUrl}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'demo', password: 'demo-password' }),
  dispatcher,
});
await login.body.text();
const cookie = String(login.headers['set-cookie']).split(';')[0]!;
const page = await request(`${demoUrl}/`, { headers: { cookie }, dispatcher });
const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.body.text())?.[1] ?? '';

type Target = () => Promise<{ ttfbMs: number; totalMs: number }>;

const direct: Target = async () => {
  const started = performance.now();
  const response = await request(`${demoUrl}/api/chat`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast-1', text: 'go' }),
    dispatcher,
  });
  let ttfb = 0;
  for await (const _chunk of response.body) if (!ttfb) ttfb = performance.now() - started;
  return { ttfbMs: ttfb, totalMs: performance.now() - started };
};

const viaGateway: Target = async () => {
  const started = performance.now();
  const response = await request(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo/fast-1', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    dispatcher,
  });
  let ttfb = 0;
  for await (const _chunk of response.body) if (!ttfb) ttfb = performance.now() - started;
  return { ttfbMs: ttfb, totalMs: performance.now() - started };
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function sequential(target: Target): Promise<number[]> {
  for (let i = 0; i < 20; i++) await target(); // warm-up
  const ttfbs: number[] = [];
  for (let i = 0; i < SINGLE_RUNS; i++) ttfbs.push((await target()).ttfbMs);
  return ttfbs;
}

async function throughput(target: Target, concurrency: number): Promise<number> {
  const deadline = performance.now() + LOAD_SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await target();
        done++;
      }
    }),
  );
  return done / LOAD_SECONDS;
}

function cpuSeconds(processId: number): number {
  const fields = readFileSync(`/proc/${processId}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMb(processId: number): number {
  const status = readFileSync(`/proc/${processId}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const rows: string[] = [];
// Interleave the two paths so drift on the machine affects both alike.
const directTtfb = await sequential(direct);
const gatewayTtfb = await sequential(viaGateway);
rows.push(
  `TTFB c=1 direct p50 ${percentile(directTtfb, 50).toFixed(2)} ms p99 ${percentile(directTtfb, 99).toFixed(2)} ms`,
  `TTFB c=1 gateway p50 ${percentile(gatewayTtfb, 50).toFixed(2)} ms p99 ${percentile(gatewayTtfb, 99).toFixed(2)} ms`,
  `added TTFB p50 ${(percentile(gatewayTtfb, 50) - percentile(directTtfb, 50)).toFixed(2)} ms, p99 ${(percentile(gatewayTtfb, 99) - percentile(directTtfb, 99)).toFixed(2)} ms`,
);
for (const concurrency of [1, 16, 64]) {
  const d = await throughput(direct, concurrency);
  const g = await throughput(viaGateway, concurrency);
  rows.push(
    `c=${concurrency}: direct ${d.toFixed(1)} req/s, gateway ${g.toFixed(1)} req/s (${((g / d) * 100).toFixed(0)} % of direct)`,
  );
}
rows.push(
  `peak RSS: gateway ${peakRssMb(Number(gatewayProcess.info.pid)).toFixed(0)} MB, demo site ${peakRssMb(Number(site.info.pid)).toFixed(0)} MB`,
  `CPU time: gateway ${cpuSeconds(Number(gatewayProcess.info.pid)).toFixed(1)} s, demo site ${cpuSeconds(Number(site.info.pid)).toFixed(1)} s`,
);
console.log(rows.join('\n'));
gatewayProcess.child.kill('SIGTERM');
site.child.kill('SIGTERM');
await dispatcher.close();
