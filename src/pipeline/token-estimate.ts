import { countTokens } from 'gpt-tokenizer';

/** Token counts by the o200k tokenizer: estimates of what the site's model really used. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return countTokens(text);
}
