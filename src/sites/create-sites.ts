import { join } from 'node:path';
import { startDemoSite } from '../../demo-site/src/index.ts';
import type { BrowserConfig, DemoSiteConfig, SiteConfig } from '../config/config-schema.ts';
import type { Logger } from '../core/logger.ts';
import { BrowserManager } from '../transports/browser/browser-manager.ts';
import { type KeepAlive, startKeepAlive } from '../transports/browser/session-keep-alive.ts';
import { createDemoBrowserSite } from './demo/browser/create-demo-browser-site.ts';
import { HttpTransport } from '../transports/http/http-transport.ts';
import { DemoSiteAdapter } from './demo/demo-site-adapter.ts';
import { createHuggingChatSite } from './huggingchat/create-huggingchat-site.ts';
import { createOpenAICompatibleSite } from './openai-compatible/create-openai-compatible-site.ts';
import { createPoeWebSite } from './poe/create-poe-web-site.ts';
import { createQwenSite } from './qwen/create-qwen-site.ts';
import { createRecipeSite } from './recipe/create-recipe-site.ts';
import type { Site } from './site.ts';

export interface CreatedSites {
  sites: Site[];
  /** URLs of demo sites the gateway started in-process, by site id. */
  embedded: Record<string, string>;
  /** The shared Chromium, when a site uses the browser transport (for remote login). */
  browser: BrowserManager | undefined;
  /** Session keep-alive per browser-driven site id. */
  keepAlives: Map<string, KeepAlive>;
  close(): Promise<void>;
}

export interface CreateSitesOptions {
  /** Where browser profiles live (`<dataDir>/browser/<site id>`), for sites with `transport: browser`. */
  dataDir?: string;
  browser?: BrowserConfig;
}

/** Builds one adapter per configured site, starting the embedded demo site where asked. */
export async function createSites(
  configs: SiteConfig[],
  logger: Logger,
  options: CreateSitesOptions = {},
): Promise<CreatedSites> {
  const sites: Site[] = [];
  const embedded: Record<string, string> = {};
  const closers: Array<() => Promise<void>> = [];
  const keepAlives = new Map<string, KeepAlive>();
  // One Chromium for every site that asks for the browser transport, started on first need.
  let browser: BrowserManager | undefined;
  const sharedBrowser = (config: SiteConfig): BrowserManager | undefined => {
    // A recipe's `ui` part drives pages whatever its transport (Chromium starts only when used).
    if (config.kind !== 'recipe' && (!('transport' in config) || config.transport !== 'browser'))
      return undefined;
    if (!browser) {
      const manager = new BrowserManager({
        dataDir: join(options.dataDir ?? './data', 'browser'),
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
  for (const config of configs) {
    const deps = { logger, browser: sharedBrowser(config) };
    let site: Site;
    switch (config.kind) {
      case 'demo': {
        site = await createDemoSite(config, logger, embedded, closers, deps.browser, options.browser);
        if (config.transport === 'browser') {
          const keepAlive = startKeepAlive(site, (options.browser?.keepAliveSeconds ?? 600) * 1000, {
            logger,
          });
          keepAlives.set(config.id, keepAlive);
          closers.push(async () => keepAlive.stop());
        }
        break;
      }
      case 'openai-compatible':
        site = createOpenAICompatibleSite(config, deps);
        break;
      case 'poe-web':
        site = await createPoeWebSite(config, deps);
        break;
      case 'qwen':
        site = createQwenSite(config, deps);
        break;
      case 'huggingchat':
        site = createHuggingChatSite(config, deps);
        break;
      case 'recipe':
        site = await createRecipeSite(config, { ...deps, dataDir: options.dataDir ?? './data' });
        break;
    }
    sites.push(site);
    closers.push(() => site.close());
  }
  return {
    sites,
    embedded,
    browser,
    keepAlives,
    close: async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}

async function createDemoSite(
  config: DemoSiteConfig,
  logger: Logger,
  embedded: Record<string, string>,
  closers: Array<() => Promise<void>>,
  browser: BrowserManager | undefined,
  browserConfig: BrowserConfig | undefined,
): Promise<Site> {
  let baseUrl = config.baseUrl;
  if (config.embedded && !baseUrl) {
    const demo = await startDemoSite({ host: '127.0.0.1', port: config.embeddedPort });
    baseUrl = demo.url;
    embedded[config.id] = demo.url;
    closers.push(() => demo.close());
  }
  if (!baseUrl) throw new Error(`Site '${config.id}' needs a baseUrl or embedded: true.`);
  const siteLogger = logger.child({ site: config.id });
  if (config.transport === 'browser' && browser) {
    return createDemoBrowserSite({
      id: config.id,
      baseUrl,
      credentials: config.credentials,
      streaming: config.streaming,
      mode: config.browserMode,
      manager: browser,
      warmPages: browserConfig?.warmPages,
      logger: siteLogger,
    });
  }
  return new DemoSiteAdapter({
    id: config.id,
    baseUrl,
    credentials: config.credentials,
    streaming: config.streaming,
    transport: new HttpTransport(),
    logger: siteLogger,
  });
}
