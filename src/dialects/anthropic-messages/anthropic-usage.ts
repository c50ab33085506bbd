import type { Usage } from '../../core/chat-event.ts';

/** Usage in the Message shape; the gateway has no prompt cache, so the cache fields are 0. */
export function toAnthropicUsage(usage: Usage): Record<string, number> {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: usage.outputTokens,
  };
}
