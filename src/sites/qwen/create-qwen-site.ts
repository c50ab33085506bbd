import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { SiteFactoryDeps } from '../kit/site-factory-deps.ts';
import { mergeCapabilities } from '../kit/model-capabilities-config.ts';
import { siteTransport } from '../kit/site-transport.ts';
import type { Site } from '../../site-contract/site.ts';
import { readQwenTokenInPage } from './in-page-qwen-token.ts';
import type { QwenSiteConfig } from './qwen-config.ts';
import { QWEN_DEFAULT_CAPABILITIES, QwenSite } from './qwen-site.ts';

/** Builds the adapter for one `kind: qwen` config entry. */
export function createQwenSite(config: QwenSiteConfig, deps: SiteFactoryDeps): Site {
  const env = deps.env ?? process.env;
  const email = config.email ?? (config.emailEnv ? env[config.emailEnv] : undefined);
  const password = config.password ?? (config.passwordEnv ? env[config.passwordEnv] : undefined);
  const token = config.token ?? (config.tokenEnv ? env[config.tokenEnv] : undefined);
  if (!(email && password) && !token && config.transport === 'http' && !deps.transport) {
    throw new Error(
      `Site '${config.id}' needs email and password (or emailEnv/passwordEnv), or a token (token/tokenEnv).`,
    );
  }
  const cookies = Object.entries(config.cookies).map(([name, value]) => ({ name, value }));
  if (token) cookies.push({ name: 'token', value: token });
  const { transport, account } = siteTransport(
    { id: config.id, transport: config.transport, homeUrl: `${config.baseUrl.replace(/\/+$/, '')}/` },
    deps,
    () => new HttpTransport({ initialCookies: { url: config.baseUrl, cookies }, proxy: deps.proxy }),
  );
  return new QwenSite({
    id: config.id,
    baseUrl: config.baseUrl,
    credentials: email && password ? { email, password } : undefined,
    token,
    // With the adapter's own transport the cookies live in its jar; an injected transport gets them as a header.
    cookies: deps.transport ? config.cookies : {},
    headers: config.headers,
    thinking: config.thinking,
    incrementalOutput: config.incrementalOutput,
    include: config.include,
    defaults: mergeCapabilities(QWEN_DEFAULT_CAPABILITIES, config.capabilities),
    overrides: config.modelCapabilities,
    acceptedMediaTypes: config.acceptedMediaTypes,
    maxUploadBytes: config.maxUploadBytes,
    transport,
    ...(account ? { tokenSource: readQwenTokenInPage(account) } : {}),
    logger: deps.logger.child({ site: config.id }),
  });
}
