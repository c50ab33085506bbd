import { HttpTransport } from '../../transports/http/http-transport.ts';
import { defineSiteKind } from '../kit/site-descriptor.ts';
import { createDemoBrowserSite } from './browser/create-demo-browser-site.ts';
import { DemoSiteConfigSchema } from './demo-site-config.ts';
import { DemoSiteAdapter } from './demo-site-adapter.ts';

/** `kind: demo`: over HTTP, or in Chromium (in-page fetch, network capture, or the DOM). */
export const demoSiteKind = defineSiteKind({
  kind: 'demo',
  configSchema: DemoSiteConfigSchema,
  browserCapable: true,
  usesBrowser: (config) => config.transport === 'browser',
  async create(config, context) {
    let baseUrl = config.baseUrl;
    if (config.embedded && !baseUrl) {
      if (!context.embedDemoSite)
        throw new Error(
          `Site '${config.id}' asks for the embedded demo site, which this gateway cannot start.`,
        );
      const demo = await context.embedDemoSite({ host: '127.0.0.1', port: config.embeddedPort });
      baseUrl = demo.url;
      context.embedded(demo.url);
      context.onClose(() => demo.close());
    }
    if (!baseUrl) throw new Error(`Site '${config.id}' needs a baseUrl or embedded: true.`);
    const logger = context.logger.child({ site: config.id });
    if (config.transport === 'browser') {
      if (!context.browser) throw new Error(`Site '${config.id}' needs the gateway's browser.`);
      return createDemoBrowserSite({
        id: config.id,
        baseUrl,
        credentials: config.credentials,
        streaming: config.streaming,
        mode: config.browserMode,
        manager: context.browser,
        warmPages: context.warmPages,
        proxy: context.proxy,
        logger,
      });
    }
    return new DemoSiteAdapter({
      id: config.id,
      baseUrl,
      credentials: config.credentials,
      streaming: config.streaming,
      transport: context.transport ?? new HttpTransport({ proxy: context.proxy }),
      proxy: context.proxy,
      logger,
    });
  },
});
