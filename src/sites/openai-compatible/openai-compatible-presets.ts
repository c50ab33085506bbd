import { HUGGINGFACE_ROUTER_PRESET } from './presets/huggingface-router-preset.ts';
import { POE_OFFICIAL_PRESET } from './presets/poe-official-preset.ts';
import type { ModelCapabilities } from '../../site-contract/site.ts';
import type { OpenAICompatiblePreset } from './presets/openai-compatible-preset.ts';

export type { OpenAICompatiblePreset } from './presets/openai-compatible-preset.ts';

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
