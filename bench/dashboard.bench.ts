/**
 * What the admin dashboard weighs and how fast it is usable, on loopback. Run by hand:
 * `node --import tsx bench/dashboard.bench.ts [runs=10]`.
 *
 * A gateway with the demo site (HTTP, three pooled accounts), 20 users and 60 requests in the
 * ledger, signed in once. Per page, in Debian Chromium: the bytes transferred on a cold load (empty
 * cache: the page plus htmx, uPlot and the dashboard's CSS/JS) and on a warm one (assets from the
 * cache, only the page itself), and the time to interactive — navigation start until the page's
 * scripts have run (`htmx` processed the body, uPlot drew every chart) — median and worst of the
 * runs.
 */
import { chromium } from 'playwright-core';
import OpenAI from 'openai';
import { BASE_CHROMIUM_ARGS } from '../src/transports/browser/chromium-args.ts';
import { startStack } from '../test/support/start-stack.ts';
import { quantile } from './support/chromium-metrics.ts';

const RUNS = Number(process.argv[2] ?? 10);
const ADMIN_TOKEN = 'admin-token-for-the-dashboard-bench-0123';
const PAGES = ['/admin', '/admin/users', '/admin/accounts', '/admin/requests', '/admin/audit'];

const stack = await startStack({
  config: { adminToken: ADMIN_TOKEN },
  site: {
    accounts: [
      { id: 'one' },
      { id: 'two', credentials: { username: 'demo-2', password: 'demo-2-password' } },
      { id: 'three', credentials: { username: 'demo-3', password: 'demo-3-password' } },
    ],
  },
});
const admin = (path: string, body?: unknown) =>
  fetch(`${stack.url}/admin/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((response) => response.json() as Promise<Record<string, unknown>>);
const keys: string[] = [];
for (let i = 0; i < 20; i++) {
  const user = await admin('/users', { name: `user-${i}`, token_quota: 1_000_000 });
  keys.push(String((await admin(`/users/${String(user.id)}/keys`, {})).key));
}
for (let i = 0; i < 60; i++) {
  const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: keys[i % keys.length], maxRetries: 0 });
  await openai.chat.completions.create({
    model: 'demo/fast-1',
    messages: [{ role: 'user', content: `r${i}` }],
  });
}

const signIn = await fetch(`${stack.url}/admin/sign-in`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ token: ADMIN_TOKEN }),
});
const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const [name, value] = cookie.split('=') as [string, string];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: BASE_CHROMIUM_ARGS,
});
const origin = new URL(stack.url);

/** Bytes over the wire for the document and its sub-resources (0 for those from the cache). */
const transferred = () =>
  performance
    .getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((sum, entry) => sum + ((entry as PerformanceResourceTiming).transferSize ?? 0), 0);

console.log(`runs per page: ${RUNS}`);
console.log('page              cold KB  warm KB  TTI p50 ms  TTI max ms');
try {
  for (const path of PAGES) {
    const cold: number[] = [];
    const warm: number[] = [];
    const tti: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext();
      await context.addCookies([
        { name, value, domain: origin.hostname, path: '/admin', httpOnly: true, sameSite: 'Strict' },
      ]);
      const page = await context.newPage();
      for (const [label, into] of [
        ['cold', cold],
        ['warm', warm],
      ] as const) {
        await page.goto(`${stack.url}${path}`, { waitUntil: 'load' });
        // Interactive: htmx has processed the body and every chart holder has its canvas.
        const ready = await page.waitForFunction(() => {
          const charts = document.querySelectorAll('[data-chart]');
          const drawn = document.querySelectorAll('[data-chart] canvas');
          const htmx = (window as unknown as { htmx?: unknown }).htmx !== undefined;
          return htmx && charts.length === drawn.length ? performance.now() : false;
        });
        into.push((await page.evaluate(transferred)) / 1024);
        if (label === 'warm') tti.push(Number(await ready.jsonValue()));
      }
      await context.close();
    }
    const row = [
      path.padEnd(16),
      quantile(cold, 0.5).toFixed(1).padStart(8),
      quantile(warm, 0.5).toFixed(1).padStart(8),
      quantile(tti, 0.5).toFixed(0).padStart(11),
      Math.max(...tti)
        .toFixed(0)
        .padStart(11),
    ];
    console.log(row.join(' '));
  }
} finally {
  await browser.close();
  await stack.close();
}
