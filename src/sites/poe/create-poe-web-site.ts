import { HttpTransport, type SeededCookie } from '../../transports/http/http-transport.ts';
import type { SiteFactoryDeps } from '../kit/site-factory-deps.ts';
import { mergeCapabilities } from '../kit/model-capabilities-config.ts';
import type { Site } from '../../site-contract/site.ts';
import { siteTransport } from '../kit/site-transport.ts';
import { readPoeSecretsInPage } from './in-page-poe-secrets.ts';
import { loadOperationHashes } from './operation-hashes.ts';
import { DEFAULT_TAG_SALT } from './poe-gql-request.ts';
import { type PoePageSecretsProvider, scrapePoeHomepage, type TchannelData } from './poe-page-secrets.ts';
import type { PoeWebSiteConfig } from './poe-web-config.ts';
import { POE_WEB_DEFAULT_CAPABILITIES, PoeWebSite } from './poe-web-site.ts';

export interface PoeWebSiteDeps extends SiteFactoryDeps {
  /** Page secrets read inside a logged-in page (browser transport); default: scrape over HTTP. */
  pageSecrets?: PoePageSecretsProvider;
  /** Test seam: where the update socket connects. */
  channelUrl?: (tchannel: TchannelData, secure: boolean) => string;
}

/**
 * Builds the adapter for one `kind: poe-web` config entry. Async because the operation-hash table
 * (bundled, plus the user's newer copy if configured) is read and validated at start-up, so a bad
 * file is reported then rather than on the first message.
 */
export async function createPoeWebSite(config: PoeWebSiteConfig, deps: PoeWebSiteDeps): Promise<Site> {
  const env = deps.env ?? process.env;
  const read = (value: string | undefined, name: string | undefined) =>
    value ?? (name ? env[name] : undefined);
  const pB = read(config.pB, config.pBEnv);
  if (!pB && !deps.transport && config.transport === 'http') {
    throw new Error(`Site '${config.id}' needs the p-b cookie (pB or pBEnv), or transport: browser.`);
  }
  const cookies: SeededCookie[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value) cookies.push({ name, value });
  };
  add('p-b', pB);
  add('p-lat', read(config.pLat, config.pLatEnv));
  add('cf_clearance', read(config.cfClearance, config.cfClearanceEnv));
  for (const [name, value] of Object.entries(config.cookies)) add(name, value);
  const { transport, account } = siteTransport(
    { id: config.id, transport: config.transport, homeUrl: `${config.baseUrl.replace(/\/+$/, '')}/` },
    deps,
    () => new HttpTransport({ initialCookies: { url: config.baseUrl, cookies }, proxy: deps.proxy }),
  );
  const formkey = read(config.formkey, config.formkeyEnv);
  return new PoeWebSite({
    id: config.id,
    baseUrl: config.baseUrl,
    transport,
    logger: deps.logger.child({ site: config.id }),
    pageSecrets:
      deps.pageSecrets ??
      (account
        ? readPoeSecretsInPage(account, { formkey, revision: config.revision })
        : scrapePoeHomepage({ transport, baseUrl: config.baseUrl, formkey, revision: config.revision })),
    operations: await loadOperationHashes(config.operationHashesPath),
    tagSalt: config.tagSalt ?? DEFAULT_TAG_SALT,
    include: config.include,
    maxBotPages: config.maxBotPages,
    defaults: mergeCapabilities(POE_WEB_DEFAULT_CAPABILITIES, config.capabilities),
    overrides: config.modelCapabilities,
    acceptedMediaTypes: config.acceptedMediaTypes,
    maxUploadBytes: config.maxUploadBytes,
    replyIdleMs: config.replyIdleMs,
    proxy: deps.proxy,
    ...(deps.channelUrl ? { channelUrl: deps.channelUrl } : {}),
  });
}
