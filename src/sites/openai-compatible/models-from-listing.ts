import type { ModelCapabilities, SiteModel } from '../../site-contract/site.ts';
import {
  type ModelCapabilitiesPatch,
  matchesModelPattern,
  resolveCapabilities,
} from '../kit/model-capabilities-config.ts';
import type { OpenAIModelEntry } from './openai-wire.ts';

export interface ModelListingOptions {
  defaults: ModelCapabilities;
  overrides: Record<string, ModelCapabilitiesPatch>;
  /** Keep only ids matching one of these (exact or `prefix*`); empty keeps all. */
  include: string[];
}

/**
 * `GET /models` entries → site models. OpenAI's own listing says nothing about capabilities; routers
 * that say more (input modalities, supported parameters, context length) are believed, and the
 * config's overrides win over both.
 */
export function modelsFromListing(entries: OpenAIModelEntry[], options: ModelListingOptions): SiteModel[] {
  const seen = new Set<string>();
  const models: SiteModel[] = [];
  for (const entry of entries) {
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    if (options.include.length > 0 && !options.include.some((p) => matchesModelPattern(entry.id, p)))
      continue;
    models.push({
      id: entry.id,
      displayName: entry.name?.trim() || entry.id,
      capabilities: resolveCapabilities(entry.id, options.defaults, capabilitiesOf(entry), options.overrides),
    });
  }
  return models;
}

function capabilitiesOf(entry: OpenAIModelEntry): ModelCapabilitiesPatch {
  const patch: ModelCapabilitiesPatch = {};
  const modalities = entry.architecture?.input_modalities;
  if (modalities) {
    patch.vision = modalities.includes('image');
    patch.files = modalities.includes('file');
  }
  if (entry.supported_parameters) {
    patch.nativeTools = entry.supported_parameters.includes('tools');
    patch.reasoning = entry.supported_parameters.includes('reasoning');
  }
  // Tokens → characters at a conservative 3 per token, so a flattened history is refused here
  // rather than by the upstream after the request was paid for.
  if (entry.context_length && entry.context_length > 0) patch.maxInputChars = entry.context_length * 3;
  return patch;
}
