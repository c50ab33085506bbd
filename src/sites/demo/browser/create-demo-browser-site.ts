import type { Logger } from '../../../core/logger.ts';
import type { BrowserManager } from '../../../transports/browser/browser-manager.ts';
import { InPageFetchTransport } from '../../../transports/browser/in-page-fetch-transport.ts';
import type { Site } from '../../../site-contract/site.ts';
import { DemoSiteAdapter } from '../demo-site-adapter.ts';
import { DemoUiSite } from './demo-ui-site.ts';

/** How a browser-backed demo site sends turns. */
export type DemoBrowserMode = 'in-page-fetch' | 'network-capture' | 'dom';

export interface DemoBrowserSiteOptions {
  id: string;
  baseUrl: string;
  credentials: { username: string; password: string };
  streaming: 'sse' | 'ws';
  mode: DemoBrowserMode;
  manager: BrowserManager;
  /** Browser account (profile) name; defaults to the site id. */
  accountId?: string;
  warmPages?: number;
  /** The account's proxy; its browser context loads everything through it. */
  proxy?: string;
  logger: Logger;
}

/**
 * The demo site through the shared browser. Every mode logs in and calls the site's API from inside
 * the logged-in page (in-page fetch); `network-capture` and `dom` send turns through the chat UI.
 */
export function createDemoBrowserSite(options: DemoBrowserSiteOptions): Site {
  const base = options.baseUrl.replace(/\/$/, '');
  const account = options.manager.account(options.accountId ?? options.id, {
    homeUrl: `${base}/`,
    warmPages: options.warmPages,
    proxy: options.proxy,
  });
  const api = new DemoSiteAdapter({
    id: options.id,
    baseUrl: base,
    credentials: options.credentials,
    streaming: options.streaming,
    transport: new InPageFetchTransport({ account, logger: options.logger }),
    // `streaming: ws` in-page-fetch mode opens its socket from Node: through the proxy too.
    proxy: options.proxy,
    logger: options.logger,
  });
  if (options.mode === 'in-page-fetch') return api;
  return new DemoUiSite({
    api,
    account,
    baseUrl: base,
    streaming: options.streaming,
    reader: options.mode === 'dom' ? 'dom' : 'network',
    logger: options.logger,
  });
}
