import type { Logger } from '../../core/logger.ts';
import type { BrowserManager } from '../../transports/browser/browser-manager.ts';
import type { Transport } from '../../transports/transport.ts';

/** What an adapter's factory gets from the gateway (or from a test). */
export interface SiteFactoryDeps {
  logger: Logger;
  /** Defaults to a fresh HttpTransport; the browser transport's in-page fetch fits too. */
  transport?: Transport;
  /** Where `apiKeyEnv` and similar settings are read (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** The gateway's browser, for web-session sites configured with `transport: browser`. */
  browser?: BrowserManager;
  /**
   * The account's HTTP(S)/SOCKS proxy URL: the adapter's HTTP transport and its browser context both
   * go through it.
   */
  proxy?: string;
}
