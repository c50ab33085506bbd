// Measurement helpers shared by the browser benchmarks: quantiles, Chromium CPU time (over CDP) and
// the PSS of the Chromium process tree (from /proc).
import { readdirSync, readFileSync } from 'node:fs';
import type { BrowserManager } from '../../src/transports/browser/browser-manager.ts';

/** The q-quantile (nearest rank, lower) of the values; NaN when empty. */
export const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

export const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** CPU time (user + system) of every Chromium process so far, in ms. */
export async function chromiumCpuMs(manager: BrowserManager): Promise<number> {
  const browser = await manager.browser();
  const session = await browser.newBrowserCDPSession();
  const info = await session.send('SystemInfo.getProcessInfo');
  await session.detach();
  return info.processInfo.reduce((sum, process) => sum + process.cpuTime * 1000, 0);
}

/** The pid and every pid below it in the process tree. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i] ?? -1) ?? []));
  return out;
}

/** Sum of /proc/<pid>/smaps_rollup Pss over the Chromium process tree, in MB. */
export async function chromiumPssMb(manager: BrowserManager): Promise<number> {
  const browserPid = (await manager.processes()).find((process) => process.type === 'browser')?.pid;
  if (!browserPid) return Number.NaN;
  let kb = 0;
  for (const pid of descendants(browserPid)) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return kb / 1024;
}
