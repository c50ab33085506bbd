import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { Site } from '../../site-contract/site.ts';
import { mergeCapabilities } from '../kit/model-capabilities-config.ts';
import type { SiteFactoryDeps } from '../kit/site-factory-deps.ts';
import type { OpenAICompatibleSiteConfig } from './openai-compatible-config.ts';
import { GENERIC_CAPABILITIES, OPENAI_COMPATIBLE_PRESETS } from './openai-compatible-presets.ts';
import { OpenAICompatibleSite } from './openai-compatible-site.ts';

/** Builds the adapter for one `kind: openai-compatible` config entry. */
export function createOpenAICompatibleSite(config: OpenAICompatibleSiteConfig, deps: SiteFactoryDeps): Site {
  const preset = config.preset ? OPENAI_COMPATIBLE_PRESETS[config.preset] : undefined;
  const baseUrl = config.baseUrl ?? preset?.baseUrl;
  if (!baseUrl) throw new Error(`Site '${config.id}' needs a baseUrl or a preset.`);
  const env = deps.env ?? process.env;
  const apiKey = config.apiKey ?? (config.apiKeyEnv ? env[config.apiKeyEnv] : undefined);
  if (!apiKey) {
    throw new Error(
      `Site '${config.id}' needs an API key: set apiKey, or apiKeyEnv naming a set environment variable.`,
    );
  }
  return new OpenAICompatibleSite({
    id: config.id,
    baseUrl,
    apiKey,
    headers: config.headers,
    models: config.models,
    defaults: mergeCapabilities(preset?.capabilities ?? GENERIC_CAPABILITIES, config.capabilities),
    overrides: config.modelCapabilities,
    maxTokensField: config.maxTokensField,
    acceptedMediaTypes: config.acceptedMediaTypes,
    maxUploadBytes: config.maxUploadBytes,
    extraBody: config.extraBody,
    balanceName: preset?.balanceName ?? 'credits',
    transport: deps.transport ?? new HttpTransport({ proxy: deps.proxy }),
    logger: deps.logger.child({ site: config.id }),
  });
}
