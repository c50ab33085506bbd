import type { OpenAICompatiblePreset } from './openai-compatible-preset.ts';

/**
 * Poe's official API as an OpenAI-compatible upstream: no Poe-specific transport code, only the
 * facts that make the generic adapter fit (creator.poe.com/docs/external-applications/
 * openai-compatible-api and /api-reference/errors):
 * - base `https://api.poe.com/v1`, `Authorization: Bearer <key from poe.com/api_key>`;
 * - models are bot names (`Claude-Sonnet-4.6`, `GPT-5.4`…) listed by `GET /v1/models`;
 * - it spends the account's subscription points and answers 402 when they run out;
 * - private bots and the Assistant bot are not reachable; file upload is "limited".
 */
export const POE_OFFICIAL_PRESET: OpenAICompatiblePreset = {
  baseUrl: 'https://api.poe.com/v1',
  balanceName: 'Poe points',
  capabilities: {
    // Most chat bots take images; a bot that does not answers 400, which the client sees as-is.
    vision: true,
    files: false,
    nativeTools: true,
    reasoning: true,
    systemPrompt: true,
    maxInputChars: 400_000,
  },
};
