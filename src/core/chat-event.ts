import type { GatewayError } from './errors.ts';

/** Why a generation ended, in canonical terms each dialect maps to its own vocabulary. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'stop-sequence' | 'content-filter';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Tokens are counted by the gateway's tokenizer, not reported by the site. */
  estimated: boolean;
}

/**
 * The canonical event stream. Every site produces into it (through the pipeline) and every
 * dialect renders from it. Order contract: text/reasoning/tool-call events, then at most one
 * `usage`, then exactly one `finish` or one `error`.
 */
export type ChatEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** Closes the reasoning block; carries the signature the client may send back. */
  | { type: 'reasoning-end'; signature: string }
  | { type: 'tool-call-start'; id: string; name: string; kind: 'function' | 'custom' }
  | { type: 'tool-call-delta'; id: string; argumentsDelta: string }
  | { type: 'tool-call-end'; id: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; stopSequence?: string }
  | { type: 'error'; error: GatewayError };
