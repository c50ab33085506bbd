// Measurement helpers shared by the browser benchmarks: quantiles, and the CPU time and PSS of the
// Chromium process tree (both from /proc).
import { readdirSync, readFileSync } from 'node:fs';
import type { BrowserManager } from '../../src/transports/browser/browser-manager.ts';

/** The q-quantile (nearest rank, lower) of the values; NaN when empty. */
export const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

export const ms = (value: number): string => `${value.toFixed(1)} ms`;

const browserPids = new WeakMap<BrowserManager, number>();

async function browserPid(manager: BrowserManager): Promise<number | undefined> {
  const known = browserPids.get(manager);
  if (known !== undefined) return known;
  const pid = (await manager.processes()).find((process) => process.type === 'browser')?.pid;
  if (pid !== undefined) browserPids.set(manager, pid);
  return pid;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of the Chromium process tree so far, in ms, read from /proc so that
 * measuring does not itself make Chromium work (a CDP probe before each reply did). Processes that
 * exited (a discarded page's renderer) no longer count. Resolution: 10 ms.
 */
export async function chromiumCpuMs(manager: BrowserManager): Promise<number> {
  const root = await browserPid(manager);
  if (root === undefined) return Number.NaN;
  let ticks = 0;
  for (const pid of descendants(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
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
