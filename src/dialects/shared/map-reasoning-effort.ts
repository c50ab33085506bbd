import type { ReasoningRequest } from '../../core/chat-request.ts';

/** OpenAI's effort names → the canonical request; `none` turns reasoning off, `xhigh` caps at high. */
export function reasoningFromEffort(effort: string | null | undefined): ReasoningRequest | undefined {
  switch (effort) {
    case null:
    case undefined:
      return undefined;
    case 'none':
      return { enabled: false };
    case 'minimal':
    case 'low':
    case 'medium':
    case 'high':
      return { enabled: true, effort };
    default:
      return { enabled: true, effort: 'high' };
  }
}
