import { join } from 'node:path';
import type { BrowserConfig } from '../config/config-schema.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { Site } from '../site-contract/site.ts';
import { BrowserManager } from '../transports/browser/browser-manager.ts';
import { type KeepAlive, startKeepAlive } from './accounts/session-keep-alive.ts';
import type { EmbedDemoSite, SiteCreateContext } from './kit/site-descriptor.ts';
import { AccountPool, type PooledSiteConfig } from './pool/account-pool.ts';
import type { HealthStore } from './pool/health-book.ts';
import type { AccountsRepository } from './pool/pool-store.ts';
import { type SiteConfig, siteKindOf } from './site-registry.ts';

export interface CreatedSites {
  sites: Site[];
  /** URLs of demo sites the gateway started in-process, by site id. */
  embedded: Record<string, string>;
  /** The shared Chromium, when a site uses the browser transport (for remote login). */
  browser: BrowserManager | undefined;
  /** Ids of the sites driven in Chromium (browser default of account slots). */
  browserSites: string[];
  /** Session keep-alive per browser account id (a site's, or a pooled account's `<site>.<account>`). */
  keepAlives: Map<string, KeepAlive>;
  /** Sites with several accounts (`accounts:` in their entry), by site id. */
  pools: Map<string, AccountPool>;
  /** Admission slots of pooled sites: the sum of their accounts' slots. */
  siteSlots: Record<string, () => number>;
  close(): Promise<void>;
}

export interface CreateSitesOptions {
  /** Where browser profiles live (`<dataDir>/browser/<site id>`), for sites with `transport: browser`. */
  dataDir?: string;
  browser?: BrowserConfig;
  /** Starts the embedded demo site; without it a `kind: demo` entry needs a `baseUrl`. */
  embedDemoSite?: EmbedDemoSite;
  /** Seals saved browser sessions (storage states) at rest. */
  secretBox?: SecretBox;
  /** Where account pools keep runtime accounts (sealed) and account health; absent = memory only. */
  pool?: { repository?: AccountsRepository; healthStore?: HealthStore; browserMaxConcurrent?: number };
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
  const pools = new Map<string, AccountPool>();
  const siteSlots: Record<string, () => number> = {};
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
        secretBox: options.secretBox,
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
      const context: SiteCreateContext = {
        logger,
        dataDir,
        browser: inBrowser ? sharedBrowser() : undefined,
        warmPages: options.browser?.warmPages,
        embedDemoSite: options.embedDemoSite,
        onClose: (closer) => siteClosers.push(closer),
        embedded: (url) => {
          embedded[config.id] = url;
        },
      };
      if (config.accounts) {
        const pool = await AccountPool.create({
          config: config as PooledSiteConfig,
          kind,
          context,
          logger,
          browserMaxConcurrent: options.pool?.browserMaxConcurrent ?? 2,
          repository: options.pool?.repository,
          healthStore: options.pool?.healthStore,
          onKeepAlive: (id, keepAlive) => {
            if (keepAlive) keepAlives.set(id, keepAlive);
            else keepAlives.delete(id);
          },
        });
        pools.set(config.id, pool);
        sites.push(pool.site);
        // Live: accounts added, disabled or removed through the admin API change what admission
        // hands out. None at all lets the request through, for the pool's immediate 503.
        siteSlots[config.id] = () => pool.slots() || Number.POSITIVE_INFINITY;
        closers.push(async () => {
          await pool.close();
          for (const closer of siteClosers) await closer().catch(() => undefined);
        });
        continue;
      }
      const site = await kind.create(config, context);
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
  return { sites, embedded, browser, browserSites, keepAlives, pools, siteSlots, close };
}
