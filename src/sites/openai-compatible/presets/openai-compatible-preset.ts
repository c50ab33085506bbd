import type { ModelCapabilities } from '../../../site-contract/site.ts';

/** Known OpenAI-compatible services: defaults a config may name instead of spelling them out. */
export interface OpenAICompatiblePreset {
  baseUrl: string;
  /** What an exhausted balance (402) is called on this service. */
  balanceName: string;
  capabilities: ModelCapabilities;
}
