import type { OpenAICompatiblePreset } from './openai-compatible-preset.ts';

/**
 * HuggingFace's inference router: the same `hf_` token and credits as HuggingChat, spoken as plain
 * OpenAI Chat Completions (`https://router.huggingface.co/v1`), so it needs no HuggingChat code at
 * all. The official alternative to driving the HuggingChat web app.
 */
export const HUGGINGFACE_ROUTER_PRESET: OpenAICompatiblePreset = {
  baseUrl: 'https://router.huggingface.co/v1',
  balanceName: 'HuggingFace inference credits',
  capabilities: {
    vision: false,
    files: false,
    nativeTools: true,
    reasoning: true,
    systemPrompt: true,
    maxInputChars: 200_000,
  },
};
