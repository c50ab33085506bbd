import { startDemoSite } from '../../demo-site/src/index.ts';
import type { SiteConfig } from '../config/config-schema.ts';
import type { Logger } from '../core/logger.ts';
import { HttpTransport } from '../transports/http/http-transport.ts';
import { DemoSiteAdapter } from './demo/demo-site-adapter.ts';
import type { Site } from './site.ts';

export interface CreatedSites {
  sites: Site[];
  /** URLs of demo sites the gateway started in-process, by site id. */
  embedded: Record<string, string>;
  close(): Promise<void>;
}

/** Builds one adapter per configured site, starting the embedded demo site where asked. */
export async function createSites(configs: SiteConfig[], logger: Logger): Promise<CreatedSites> {
  const sites: Site[] = [];
  const embedded: Record<string, string> = {};
  const closers: Array<() => Promise<void>> = [];
  for (const config of configs) {
    let baseUrl = config.baseUrl;
    if (config.embedded && !baseUrl) {
      const demo = await startDemoSite({ host: '127.0.0.1', port: config.embeddedPort });
      baseUrl = demo.url;
      embedded[config.id] = demo.url;
      closers.push(() => demo.close());
    }
    if (!baseUrl) throw new Error(`Site '${config.id}' needs a baseUrl or embedded: true.`);
    const site = new DemoSiteAdapter({
      id: config.id,
      baseUrl,
      credentials: config.credentials,
      streaming: config.streaming,
      transport: new HttpTransport(),
      logger: logger.child({ site: config.id }),
    });
    sites.push(site);
    closers.push(() => site.close());
  }
  return {
    sites,
    embedded,
    close: async () => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
