import { countTokens } from 'gpt-tokenizer';
import type { ChatRequest } from '../core/chat-request.ts';

/** Token counts by the o200k tokenizer: estimates of what the site's model really used. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return countTokens(text);
}

/** Estimated input tokens of a whole canonical request, as `count_tokens` reports it. */
export function estimateRequestTokens(request: ChatRequest): number {
  const pieces: string[] = [request.system ?? ''];
  for (const tool of request.tools)
    pieces.push(tool.name, tool.description ?? '', JSON.stringify(tool.parameters ?? {}));
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') pieces.push(part.text);
      else if (part.type === 'tool-call') pieces.push(part.name, part.arguments);
      else if (part.type === 'tool-result') pieces.push(part.content);
      // Images are billed by size on real APIs; a flat estimate keeps counts comparable.
      else pieces.push(' '.repeat(IMAGE_TOKEN_ESTIMATE_CHARS));
    }
  }
  return estimateTokens(pieces.filter((p) => p.length > 0).join('\n'));
}

const IMAGE_TOKEN_ESTIMATE_CHARS = 1500;
