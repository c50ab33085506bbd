import { HUGGINGFACE_ROUTER_PRESET } from '../huggingchat/huggingface-router-preset.ts';
import { POE_OFFICIAL_PRESET } from '../poe/poe-official-preset.ts';
import type { ModelCapabilities } from '../site.ts';

/** Known OpenAI-compatible services: defaults a config may name instead of spelling them out. */
export interface OpenAICompatiblePreset {
  baseUrl: string;
  /** What an exhausted balance (402) is called on this service. */
  balanceName: string;
  capabilities: ModelCapabilities;
}

export const OPENAI_COMPATIBLE_PRESETS = {
  poe: POE_OFFICIAL_PRESET,
  huggingface: HUGGINGFACE_ROUTER_PRESET,
} as const satisfies Record<string, OpenAICompatiblePreset>;

export type OpenAICompatiblePresetName = keyof typeof OPENAI_COMPATIBLE_PRESETS;

/** For any other upstream: tools and images pass through natively; override per model in config. */
export const GENERIC_CAPABILITIES: ModelCapabilities = {
  vision: true,
  files: false,
  nativeTools: true,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 400_000,
};
