import type { ModelCapabilities, SiteModel } from '../../site-contract/site.ts';
import { evaluateJsonPath, firstMatch, type JsonPath } from './json-path.ts';
import type { Recipe, RecipeApi } from './recipe-schema.ts';

type ModelsList = NonNullable<RecipeApi['models']>;

/** The site's model list read from its JSON with the recipe's paths; per-model values override defaults. */
export function readModels(data: unknown, list: ModelsList, defaults: ModelCapabilities): SiteModel[] {
  const models: SiteModel[] = [];
  for (const item of evaluateJsonPath(list.list, data)) {
    const id = text(firstMatch(list.id, item));
    if (!id) continue;
    const name = list.name ? text(firstMatch(list.name, item)) : undefined;
    const caps = list.capabilities;
    models.push({
      id,
      displayName: name || id,
      capabilities: {
        vision: flag(caps.vision, item, defaults.vision),
        files: flag(caps.files, item, defaults.files),
        nativeTools: flag(caps.nativeTools, item, defaults.nativeTools),
        reasoning: flag(caps.reasoning, item, defaults.reasoning),
        systemPrompt: flag(caps.systemPrompt, item, defaults.systemPrompt),
        maxInputChars: count(caps.maxInputChars, item, defaults.maxInputChars),
      },
    });
  }
  return models;
}

/** The recipe's fixed `models` list. */
export function staticModels(recipe: Recipe): SiteModel[] {
  return (recipe.models ?? []).map((model) => ({
    id: model.id,
    displayName: model.name ?? model.id,
    capabilities: { ...recipe.capabilities.models, ...model.capabilities },
  }));
}

/** Adds the recipe's aliases as models of their own (same capabilities as their target). */
export function withAliases(models: SiteModel[], aliases: Readonly<Record<string, string>>): SiteModel[] {
  const out = [...models];
  for (const [alias, target] of Object.entries(aliases)) {
    const model = models.find((candidate) => candidate.id === target);
    if (!model || out.some((candidate) => candidate.id === alias)) continue;
    out.push({ id: alias, displayName: `${alias} (${model.displayName})`, capabilities: model.capabilities });
  }
  return out;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function flag(source: boolean | JsonPath | undefined, item: unknown, fallback: boolean): boolean {
  if (source === undefined) return fallback;
  if (typeof source === 'boolean') return source;
  const value = firstMatch(source, item);
  return typeof value === 'boolean' ? value : fallback;
}

function count(source: number | JsonPath | undefined, item: unknown, fallback: number): number {
  if (source === undefined) return fallback;
  if (typeof source === 'number') return source;
  const value = firstMatch(source, item);
  return typeof value === 'number' && value > 0 ? value : fallback;
}
