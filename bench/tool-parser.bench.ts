/**
 * Throughput and per-chunk latency of the emulated tool-call parser.
 * Run by hand: `node --import tsx bench/tool-parser.bench.ts` (not part of the test command).
 */
import os from 'node:os';
import type { ToolDefinition } from '../src/core/chat-request.ts';
import { createToolCallParser } from '../src/features/tools/tool-call-parser.ts';

const tools: ToolDefinition[] = [
  {
    name: 'get_weather',
    kind: 'function',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  {
    name: 'write_file',
    kind: 'function',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
  },
];

const TARGET_CHARS = 4 * 1024 * 1024;

function repeatTo(unit: string, chars: number): string {
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

const prose =
  'The quick brown fox jumps over the lazy dog, and then it keeps running for a while across the field. ';
const markdown =
  'Use `a < b` for comparisons; in HTML write <div class="x">…</div>.\n```ts\nconst ok = a <= b && c >= d;\n```\n';
const callUnit =
  'Checking the weather now.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n';
const bigCall = `<tool_call>${JSON.stringify({
  name: 'write_file',
  arguments: { path: 'big.txt', content: repeatTo('line of file content < with > brackets\n', 200_000) },
})}</tool_call>`;

interface Scenario {
  name: string;
  text: string;
  chunk: number;
}

const scenarios: Scenario[] = [
  { name: 'plain prose, 16-char chunks', text: repeatTo(prose, TARGET_CHARS), chunk: 16 },
  { name: 'plain prose, 1-char chunks', text: repeatTo(prose, TARGET_CHARS / 4), chunk: 1 },
  { name: 'markdown with < and ```, 16-char chunks', text: repeatTo(markdown, TARGET_CHARS), chunk: 16 },
  {
    name: 'text with a call every 100 chars, 16-char chunks',
    text: repeatTo(callUnit, TARGET_CHARS / 4),
    chunk: 16,
  },
  { name: '200 KB call body, 16-char chunks', text: bigCall, chunk: 16 },
];

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function feed(chunks: readonly string[], timed: Float64Array | undefined): number {
  const parser = createToolCallParser(tools, { parallel: true });
  for (let i = 0; i < chunks.length; i++) {
    if (timed === undefined) {
      parser.push(chunks[i] ?? '');
      continue;
    }
    const t0 = process.hrtime.bigint();
    parser.push(chunks[i] ?? '');
    timed[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  parser.end();
  return parser.callCount;
}

function run(scenario: Scenario): void {
  const chunks: string[] = [];
  for (let i = 0; i < scenario.text.length; i += scenario.chunk)
    chunks.push(scenario.text.slice(i, i + scenario.chunk));
  feed(chunks, undefined); // warm-up: let the JIT see the hot paths

  // Throughput without per-chunk timers, best of 3 (a shared machine adds noise, never speed);
  // CPU time too, because other load skews wall time.
  let wallSeconds = Number.POSITIVE_INFINITY;
  let cpuSeconds = Number.POSITIVE_INFINITY;
  let calls = 0;
  for (let round = 0; round < 3; round++) {
    const wallStart = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    calls = feed(chunks, undefined);
    const cpu = process.cpuUsage(cpuStart);
    wallSeconds = Math.min(wallSeconds, Number(process.hrtime.bigint() - wallStart) / 1e9);
    cpuSeconds = Math.min(cpuSeconds, (cpu.user + cpu.system) / 1e6);
  }

  const latencies = new Float64Array(chunks.length);
  feed(chunks, latencies);
  latencies.sort();
  const mb = Buffer.byteLength(scenario.text) / 1e6;
  console.log(
    `${scenario.name.padEnd(50)} ${(mb / wallSeconds).toFixed(1).padStart(6)} MB/s wall ${(mb / cpuSeconds).toFixed(1).padStart(6)} MB/s cpu   ` +
      `push p50 ${percentile(latencies, 0.5).toFixed(2)} µs  p99 ${percentile(latencies, 0.99).toFixed(2)} µs  ` +
      `p99.9 ${percentile(latencies, 0.999).toFixed(1)} µs   (${chunks.length} chunks, ${calls} calls)`,
  );
}

console.log(
  `node ${process.version}, ${process.arch}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0]?.toFixed(1)}`,
);
for (const scenario of scenarios) run(scenario);
