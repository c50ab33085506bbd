/**
 * The ways the gateway reaches the demo site that feature tests run over: plain HTTP, and the site
 * driven inside real Chromium in each browser mode — its own API called from the logged-in page
 * (in-page fetch), its chat UI driven with the reply read off the page's network traffic (network
 * capture), and the UI driven with the reply read from the rendered page (DOM).
 *
 * `TEST_SITE_TRANSPORTS=http,dom` narrows the list for a local run; CI runs them all.
 */
const ALL = [
  { key: 'http', name: 'HTTP', site: {} },
  {
    key: 'in-page-fetch',
    name: 'browser (in-page fetch)',
    site: { transport: 'browser', browserMode: 'in-page-fetch' },
  },
  {
    key: 'network-capture',
    name: 'browser (network capture)',
    site: { transport: 'browser', browserMode: 'network-capture' },
  },
  { key: 'dom', name: 'browser (DOM)', site: { transport: 'browser', browserMode: 'dom' } },
] as const;

export type SiteTransport = (typeof ALL)[number];

const only = process.env.TEST_SITE_TRANSPORTS?.split(',').map((key) => key.trim());

export const SITE_TRANSPORTS: readonly SiteTransport[] = only
  ? ALL.filter((transport) => only.includes(transport.key))
  : ALL;

/** The browser modes that send turns through the site's chat UI (not its API). */
export const isUiMode = (transport: SiteTransport): boolean =>
  transport.key === 'network-capture' || transport.key === 'dom';
