import { z } from 'zod';
import type { ModelCapabilities } from '../../site-contract/site.ts';

/** Site ids as the gateway config spells them (same rule as the demo site's). */
export const SiteIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'site ids are lowercase letters, digits and dashes');

/** Any subset of a model's capabilities, for config defaults and per-model overrides. */
export const ModelCapabilitiesPatchSchema = z
  .object({
    vision: z.boolean(),
    files: z.boolean(),
    nativeTools: z.boolean(),
    reasoning: z.boolean(),
    systemPrompt: z.boolean(),
    maxInputChars: z.number().int().positive(),
  })
  .partial()
  .strict();
export type ModelCapabilitiesPatch = z.infer<typeof ModelCapabilitiesPatchSchema>;

/** `{ "<model id or prefix*>": patch }`: what the site's own listing cannot say about a model. */
export const ModelCapabilityOverridesSchema = z.record(z.string(), ModelCapabilitiesPatchSchema);

/**
 * Capabilities of one model: the adapter's defaults, then what the site said about it, then the
 * config's overrides (exact id beats the longest matching `prefix*`), so the user has the last word.
 */
export function resolveCapabilities(
  modelId: string,
  defaults: ModelCapabilities,
  fromSite: ModelCapabilitiesPatch,
  overrides: Record<string, ModelCapabilitiesPatch>,
): ModelCapabilities {
  const matching = Object.entries(overrides)
    .filter(([pattern]) => matchesModelPattern(modelId, pattern))
    .sort(([a], [b]) => specificity(a) - specificity(b))
    .map(([, patch]) => patch);
  return Object.assign({}, defaults, stripUndefined(fromSite), ...matching.map(stripUndefined));
}

/** An adapter's default capabilities with the config's site-wide patch on top. */
export function mergeCapabilities(base: ModelCapabilities, patch: ModelCapabilitiesPatch): ModelCapabilities {
  return { ...base, ...stripUndefined(patch) };
}

/** `gpt-4o` matches itself; `Claude-*` matches every id starting `Claude-`; `*` matches all. */
export function matchesModelPattern(modelId: string, pattern: string): boolean {
  if (pattern.endsWith('*')) return modelId.startsWith(pattern.slice(0, -1));
  return modelId === pattern;
}

function specificity(pattern: string): number {
  return pattern.endsWith('*') ? pattern.length - 1 : Number.MAX_SAFE_INTEGER;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
