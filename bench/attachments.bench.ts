/**
 * Latency that attachment handling adds to a request, and peak memory under concurrent large uploads.
 * Run by hand: `node --expose-gc --import tsx bench/attachments.bench.ts` (not part of the test command).
 *
 * "Added latency" is the wall time of resolveAttachments for one request carrying one image: decode or
 * guarded download over loopback, sniffing, header check, SHA-256. Images are incompressible PNGs the
 * demo-like site accepts as is, so no conversion runs; a conversion case is listed separately.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { ChatRequest, ContentPart } from '../src/core/chat-request.ts';
import { resolveAttachments } from '../src/features/attachments/resolve-attachments.ts';
import { noiseImage, solidImage } from '../src/features/attachments/test-helpers.ts';
import type { ModelCapabilities, SiteCapabilities } from '../src/site-contract/site.ts';

const model: ModelCapabilities = {
  vision: true,
  files: true,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 1_000_000,
};
const site: SiteCapabilities = {
  threads: true,
  deleteThreads: true,
  uploads: true,
  acceptedMediaTypes: ['image/png', 'image/jpeg'],
  maxUploadBytes: 32 * 1024 * 1024,
  models: model,
};

function chat(part: ContentPart): ChatRequest {
  return {
    model: 'demo/vision',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, part] }],
    tools: [],
    toolChoice: { type: 'auto' },
    parallelToolCalls: true,
    stop: [],
    responseFormat: { type: 'text' },
    stream: false,
    metadata: {},
  };
}

async function imageOfBytes(bytes: number): Promise<Uint8Array> {
  const side = Math.round(Math.sqrt(bytes / 3));
  return noiseImage('png', side, side);
}

async function serve(images: Map<string, Uint8Array>) {
  const server = createServer((req, res) => {
    const body = images.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.byteLength) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const context = () => ({
  model,
  site,
  fetchOptions: { allowCidrs: ['127.0.0.1/32'] },
  signal: new AbortController().signal,
});

async function time(
  runs: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p95: number; min: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), min: samples[0] ?? 0 };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function latency(): Promise<void> {
  const sizes = [
    { label: '1 MB', bytes: 1024 * 1024, runs: 30 },
    { label: '10 MB', bytes: 10 * 1024 * 1024, runs: 15 },
  ];
  const images = new Map<string, Uint8Array>();
  for (const size of sizes) images.set(`/${size.bytes}.png`, await imageOfBytes(size.bytes));
  const server = await serve(images);
  const plain = new Agent();
  console.log('| image | input | p50 | p95 | min |');
  console.log('|---|---|---|---|---|');
  for (const size of sizes) {
    const image = images.get(`/${size.bytes}.png`) ?? new Uint8Array(0);
    const label = `${size.label} PNG (${(image.byteLength / 1048576).toFixed(2)} MiB)`;
    const dataUrl = `data:image/png;base64,${Buffer.from(image).toString('base64')}`;
    const url = `${server.origin}/${size.bytes}.png`;
    const rows: Array<[string, () => Promise<unknown>]> = [
      ['data URL', () => resolveAttachments(chat({ type: 'image', url: dataUrl }), context())],
      ['URL (loopback, allow-listed)', () => resolveAttachments(chat({ type: 'image', url }), context())],
      [
        'baseline: plain undici GET, no guard',
        async () => {
          const response = await request(url, { dispatcher: plain });
          await response.body.arrayBuffer();
        },
      ],
    ];
    for (const [input, fn] of rows) {
      const r = await time(size.runs, fn);
      console.log(`| ${label} | ${input} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.min)} |`);
    }
  }
  const webp = await solidImage('webp', 3000, 2000);
  const convert = await time(10, () => resolveAttachments(chat({ type: 'image', data: webp }), context()));
  console.log(
    `| 3000×2000 WebP → JPEG (converted, downscale not needed) | bytes | ${fmt(convert.p50)} | ${fmt(convert.p95)} | ${fmt(convert.min)} |`,
  );
  await plain.close();
  await server.close();
}

/** One scenario per child process, so each peak is measured from a clean heap. */
async function memory(kind: 'data' | 'url'): Promise<void> {
  const image = await imageOfBytes(10 * 1024 * 1024);
  const server = await serve(new Map([['/10mb.png', image]]));
  const parts: ContentPart[] = Array.from({ length: 10 }, () =>
    kind === 'data'
      ? { type: 'image', url: `data:image/png;base64,${Buffer.from(image).toString('base64')}` }
      : { type: 'image', url: `${server.origin}/10mb.png` },
  );
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakExternal = base.external + base.arrayBuffers;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakExternal = Math.max(peakExternal, now.external + now.arrayBuffers);
  }, 2);
  const started = performance.now();
  const results = await Promise.all(parts.map((part) => resolveAttachments(chat(part), context())));
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;
  console.log(
    `| 10 × 10 MB concurrent, ${kind === 'data' ? 'data URLs' : 'loopback URLs'} | ${fmt(elapsed)} | ` +
      `${mib(base.rss)} → ${mib(peakRss)} (+${mib(peakRss - base.rss)}) | ` +
      `+${mib(peakExternal - base.external - base.arrayBuffers)} | ${results.length} |`,
  );
  await server.close();
}

const mode = process.argv[2];
if (mode === 'data' || mode === 'url') {
  await memory(mode);
} else {
  console.log(
    `node ${process.version}, ${(await import('node:os')).cpus()[0]?.model ?? 'cpu'} × ${(await import('node:os')).cpus().length}\n`,
  );
  await latency();
  console.log('\n| scenario | wall time | RSS (before → peak) | peak buffers added | requests |');
  console.log('|---|---|---|---|---|');
  for (const kind of ['data', 'url'] as const) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', kind], {
        stdio: 'inherit',
      });
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`memory run ${kind} exited ${code}`)),
      );
    });
  }
}
