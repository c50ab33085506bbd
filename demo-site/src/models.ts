export type ModelId = 'text-1' | 'vision-1' | 'reasoning-1' | 'tools-1' | 'slow-1' | 'fast-1';

export interface ModelCapabilities {
  vision: boolean;
  files: boolean;
  tools: boolean;
  reasoning: boolean;
  systemPrompt: boolean;
}

export interface ModelInfo {
  id: ModelId;
  name: string;
  capabilities: ModelCapabilities;
  maxInputChars: number;
}

const BASE: ModelCapabilities = {
  vision: false,
  files: false,
  tools: false,
  reasoning: false,
  systemPrompt: true,
};

const CATALOG: ReadonlyArray<Omit<ModelInfo, 'maxInputChars'>> = [
  { id: 'text-1', name: 'Text 1', capabilities: BASE },
  { id: 'vision-1', name: 'Vision 1', capabilities: { ...BASE, vision: true, files: true } },
  { id: 'reasoning-1', name: 'Reasoning 1', capabilities: { ...BASE, reasoning: true } },
  { id: 'tools-1', name: 'Tools 1', capabilities: { ...BASE, tools: true } },
  { id: 'slow-1', name: 'Slow 1', capabilities: BASE },
  { id: 'fast-1', name: 'Fast 1', capabilities: BASE },
];

export const DEFAULT_MODEL: ModelId = 'text-1';

export function listModels(maxInputChars: number): ModelInfo[] {
  return CATALOG.map((model) => ({ ...model, capabilities: { ...model.capabilities }, maxInputChars }));
}

export function isModelId(id: string): id is ModelId {
  return CATALOG.some((model) => model.id === id);
}

export function findModel(id: string, maxInputChars: number): ModelInfo | undefined {
  return listModels(maxInputChars).find((model) => model.id === id);
}
