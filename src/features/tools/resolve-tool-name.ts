import type { ToolDefinition } from '../../core/chat-request.ts';

/**
 * Maps the name a model wrote to a declared tool. Exact first; then without the namespaces models
 * add out of habit (`functions.get_weather`, `default_api.get_weather`); then ignoring case and
 * `-`/`_`/`.` separators, but only when that picks exactly one tool — never a guess between two.
 */
export interface ToolIndex {
  resolve(name: string): ToolDefinition | undefined;
  readonly tools: readonly ToolDefinition[];
}

const NAMESPACE_PREFIX = /^(?:functions|function|tools|default_api)[./:]/;

function loose(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

export function createToolIndex(tools: readonly ToolDefinition[]): ToolIndex {
  const exact = new Map<string, ToolDefinition>();
  for (const tool of tools) exact.set(tool.name, tool);
  const byLoose = new Map<string, ToolDefinition | null>();
  for (const tool of tools) {
    const key = loose(tool.name);
    // `null` marks an ambiguous loose key: two tools differ only in case or separators.
    byLoose.set(key, byLoose.has(key) ? null : tool);
  }
  return {
    tools,
    resolve(name) {
      const trimmed = name.trim();
      const direct = exact.get(trimmed);
      if (direct !== undefined) return direct;
      const bare = trimmed.replace(NAMESPACE_PREFIX, '');
      const unprefixed = exact.get(bare);
      if (unprefixed !== undefined) return unprefixed;
      return byLoose.get(loose(bare)) ?? undefined;
    },
  };
}
