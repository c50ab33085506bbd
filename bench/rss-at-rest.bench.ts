// RSS at rest of `serve` on the default config (embedded demo site, no browser site): the sources
// through tsx (bin/webchat-gateway.mjs) against the compiled dist/ (npm start). Runs `npm run build`
// first. Per run: start, wait for the banner, let it settle, read VmRSS, make one chat request,
// settle, read again, SIGTERM. Alternates the two so machine load hits both alike.
//   node --import tsx bench/rss-at-rest.bench.ts [runs=3]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.argv[2] ?? 3);
const SETTLE_MS = 3_000;
const variants = {
  tsx: ['bin/webchat-gateway.mjs', 'serve'],
  compiled: ['dist/src/cli/main.js', 'serve'],
} as const;

const rssMb = async (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(args: readonly string[]): Promise<{ idle: number; afterOne: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wcg-rss-'));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', GATEWAY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', GATEWAY_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Try it:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  const base = /OpenAI base URL:\s+(\S+)/.exec(output)![1]!;
  const key = /API key \(generated[^)]*\): (\S+)/.exec(output)![1]!;
  await sleep(SETTLE_MS);
  const idle = await rssMb(child.pid!);
  const response = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo/fast-1', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.text();
  await sleep(SETTLE_MS);
  const afterOne = await rssMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
  return { idle, afterOne };
}

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const results: Record<string, Array<{ idle: number; afterOne: number }>> = { tsx: [], compiled: [] };
const loadBefore = loadavg()[0]!;
for (let run = 0; run < RUNS; run++) {
  for (const [name, args] of Object.entries(variants)) results[name]!.push(await measure(args));
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `${new Date().toISOString()}  load average ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
);
console.log('| | RSS at rest (median, min–max) | after one request |');
console.log('|---|---|---|');
for (const [name, runs] of Object.entries(results)) {
  const idle = runs.map((r) => r.idle);
  const after = runs.map((r) => r.afterOne);
  console.log(
    `| ${name} | ${median([...idle]).toFixed(0)} MB (${Math.min(...idle).toFixed(0)}–${Math.max(...idle).toFixed(0)}) | ${median([...after]).toFixed(0)} MB (${Math.min(...after).toFixed(0)}–${Math.max(...after).toFixed(0)}) |`,
  );
}
