import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoSite, startDemoSite } from '../../demo-site/src/index.ts';
import { createLogger, type Logger } from '../../src/core/logger.ts';
import { BrowserManager } from '../../src/transports/browser/browser-manager.ts';
import type { SiteEvent } from '../../src/site-contract/site.ts';

/** A demo site with its control switches, one browser for a whole test file, and a temp data dir. */
export interface BrowserFixture {
  demo: DemoSite;
  manager: BrowserManager;
  dataDir: string;
  logger: Logger;
  close(): Promise<void>;
}

export async function startBrowserFixture(
  options: { demo?: Parameters<typeof startDemoSite>[0] } = {},
): Promise<BrowserFixture> {
  const demo = await startDemoSite({ control: true, ...options.demo });
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-browser-'));
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const manager = new BrowserManager({ dataDir, logger });
  return {
    demo,
    manager,
    dataDir,
    logger,
    async close() {
      await manager.close();
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function collectEvents(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export function replyText(events: SiteEvent[], type: 'text' | 'reasoning' = 'text'): string {
  return events.map((event) => (event.type === type ? event.delta : '')).join('');
}

/** Polls until `check` passes (site counters move a moment after the connection closes). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
