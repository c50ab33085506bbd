import { join } from 'node:path';
import type { BrowserConfig } from '../config/config-schema.ts';
import type { Logger } from '../core/logger.ts';
import type { Site } from '../site-contract/site.ts';
import { BrowserManager } from '../transports/browser/browser-manager.ts';
import { type KeepAlive, startKeepAlive } from './accounts/session-keep-alive.ts';
import type { EmbedDemoSite } from './kit/site-descriptor.ts';
import { type SiteConfig, siteKindOf } from './site-registry.ts';

export interface CreatedSites {
  sites: Site[];
  /** URLs of demo sites the gateway started in-process, by site id. */
  embedded: Record<string, string>;
  /** The shared Chromium, when a site uses the browser transport (for remote login). */
  browser: BrowserManager | undefined;
  /** Ids of the sites driven in Chromium (browser default of account slots). */
  browserSites: string[];
  /** Session keep-alive per browser-driven site id (its browser account has the same id). */
  keepAlives: Map<string, KeepAlive>;
  close(): Promise<void>;
}

export interface CreateSitesOptions {
  /** Where browser profiles live (`<dataDir>/browser/<site id>`), for sites with `transport: browser`. */
  dataDir?: string;
  browser?: BrowserConfig;
  /** Starts the embedded demo site; without it a `kind: demo` entry needs a `baseUrl`. */
  embedDemoSite?: EmbedDemoSite;
}

/**
 * Builds one adapter per configured site through its kind's descriptor. Every site driven in
 * Chromium shares one browser and gets session keep-alive (an ended session is renewed with the
 * configured login; one that needs a person is marked for remote login), whatever its kind.
 */
export async function createSites(
  configs: SiteConfig[],
  logger: Logger,
  options: CreateSitesOptions = {},
): Promise<CreatedSites> {
  const sites: Site[] = [];
  const embedded: Record<string, string> = {};
  const closers: Array<() => Promise<void>> = [];
  const keepAlives = new Map<string, KeepAlive>();
  const browserSites: string[] = [];
  const dataDir = options.dataDir ?? './data';
  // One Chromium for every site that asks for it, launched on first use.
  let browser: BrowserManager | undefined;
  const sharedBrowser = (): BrowserManager => {
    if (!browser) {
      const manager = new BrowserManager({
        dataDir: join(dataDir, 'browser'),
        executablePath: options.browser?.executablePath,
        mode: options.browser?.mode,
        display: options.browser?.display,
        extraArgs: options.browser?.extraArgs,
        logger,
      });
      browser = manager;
      closers.unshift(() => manager.close());
    }
    return browser;
  };
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    for (const config of configs) {
      const kind = siteKindOf(config);
      const inBrowser = kind.usesBrowser(config);
      const siteClosers: Array<() => Promise<void>> = [];
      const site = await kind.create(config, {
        logger,
        dataDir,
        browser: inBrowser ? sharedBrowser() : undefined,
        warmPages: options.browser?.warmPages,
        embedDemoSite: options.embedDemoSite,
        onClose: (closer) => siteClosers.push(closer),
        embedded: (url) => {
          embedded[config.id] = url;
        },
      });
      sites.push(site);
      closers.push(async () => {
        await site.close();
        for (const closer of siteClosers) await closer().catch(() => undefined);
      });
      if (inBrowser) {
        browserSites.push(config.id);
        const keepAlive = startKeepAlive(site, (options.browser?.keepAliveSeconds ?? 600) * 1000, {
          logger,
        });
        keepAlives.set(config.id, keepAlive);
        closers.push(async () => keepAlive.stop());
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { sites, embedded, browser, browserSites, keepAlives, close };
}
