import type { BrowserAccount } from '../../transports/browser/browser-account.ts';
import { InPageFetchTransport } from '../../transports/browser/in-page-fetch-transport.ts';
import type { Transport } from '../../transports/transport.ts';
import type { SiteFactoryDeps } from './site-factory-deps.ts';

/**
 * The transport a web-session adapter runs over: the injected one (tests, a shared transport), the
 * gateway's browser (the site's own logged-in page makes the requests: its cookies, its TLS, its
 * anti-bot tokens; log in once through remote login), or plain HTTP with the configured cookies.
 */
export function siteTransport(
  site: { id: string; transport: 'http' | 'browser'; homeUrl: string },
  deps: SiteFactoryDeps,
  http: () => Transport,
): { transport: Transport; account?: BrowserAccount } {
  if (deps.transport) return { transport: deps.transport };
  // The http factory builds its HttpTransport with `proxy: deps.proxy`.
  if (site.transport === 'http') return { transport: http() };
  if (!deps.browser) {
    throw new Error(`Site '${site.id}' asks for the browser transport, but the gateway started no browser.`);
  }
  const account = deps.browser.account(site.id, { homeUrl: site.homeUrl, proxy: deps.proxy });
  return {
    transport: new InPageFetchTransport({ account, logger: deps.logger.child({ site: site.id }) }),
    account,
  };
}
