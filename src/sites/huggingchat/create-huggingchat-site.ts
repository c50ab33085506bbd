import { mergeCapabilities } from '../kit/model-capabilities-config.ts';
import { siteTransport } from '../kit/site-transport.ts';
import type { SiteFactoryDeps } from '../kit/site-factory-deps.ts';
import type { Site } from '../../site-contract/site.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { HuggingChatSiteConfig } from './huggingchat-config.ts';
import { HUGGINGCHAT_DEFAULT_CAPABILITIES, HuggingChatSite } from './huggingchat-site.ts';

/** Builds the adapter for one `kind: huggingchat` config entry. */
export function createHuggingChatSite(config: HuggingChatSiteConfig, deps: SiteFactoryDeps): Site {
  const env = deps.env ?? process.env;
  const token = config.token ?? (config.tokenEnv ? env[config.tokenEnv] : undefined);
  const cookie = config.cookie ?? (config.cookieEnv ? env[config.cookieEnv] : undefined);
  if (!token && !cookie && !deps.transport && config.transport === 'http') {
    throw new Error(
      `Site '${config.id}' needs an hf_ token (token/tokenEnv), the hf-chat cookie (cookie/cookieEnv), or transport: browser.`,
    );
  }
  const { transport } = siteTransport(
    { id: config.id, transport: config.transport, homeUrl: `${config.baseUrl.replace(/\/+$/, '')}/` },
    deps,
    () =>
      new HttpTransport({
        initialCookies: cookie
          ? { url: config.baseUrl, cookies: [{ name: 'hf-chat', value: cookie }] }
          : undefined,
        proxy: deps.proxy,
      }),
  );
  return new HuggingChatSite({
    id: config.id,
    baseUrl: config.baseUrl,
    token,
    include: config.include,
    defaults: mergeCapabilities(HUGGINGCHAT_DEFAULT_CAPABILITIES, config.capabilities),
    overrides: config.modelCapabilities,
    acceptedMediaTypes: config.acceptedMediaTypes,
    maxUploadBytes: config.maxUploadBytes,
    transport,
    logger: deps.logger.child({ site: config.id }),
  });
}
