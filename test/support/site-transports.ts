/**
 * The ways the gateway reaches the demo site that feature tests run over: plain HTTP, and the site
 * driven inside real Chromium (its own API called from the logged-in page).
 */
export const SITE_TRANSPORTS = [
  { name: 'HTTP', site: {} },
  { name: 'browser (in-page fetch)', site: { transport: 'browser', browserMode: 'in-page-fetch' } },
] as const;
