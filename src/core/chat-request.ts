/**
 * The canonical request every front door parses into and every site adapter consumes.
 * Dialect-neutral: no OpenAI or Anthropic field names leak in here.
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image or document. `data` holds the bytes once resolved; `url` is a remote source still to fetch. */
export interface MediaPart {
  type: 'image' | 'file';
  data?: Uint8Array;
  url?: string;
  /** Media type as claimed by the caller; attachments code sniffs the real one from the bytes. */
  mediaType?: string;
  filename?: string;
  /** OpenAI `detail` hint (low | high | auto); accepted and carried, sites may ignore it. */
  detail?: string;
  /** The field in the caller's own request this part came from, for error messages (`input[2].content[0]`). */
  param?: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** The arguments as JSON text (function tools) or raw input text (custom tools). */
  arguments: string;
  kind: 'function' | 'custom';
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Tool name when the dialect carries it (Anthropic does not; resolved from history where possible). */
  name?: string;
  content: string;
  isError: boolean;
}

export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Opaque signature the gateway issued; verified when a client sends the block back. */
  signature?: string;
}

export type ContentPart = TextPart | MediaPart | ToolCallPart | ToolResultPart | ReasoningPart;

export interface ChatMessage {
  /** `system` here only for instructions that appear after the conversation started. */
  role: Role;
  content: ContentPart[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments for function tools; absent for custom (free-text) tools. */
  parameters?: Record<string, unknown>;
  kind: 'function' | 'custom';
  strict?: boolean;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

export interface ReasoningRequest {
  enabled: boolean;
  budgetTokens?: number;
  effort?: 'minimal' | 'low' | 'medium' | 'high';
}

export interface ChatRequest {
  /** The public model name the caller asked for (`site/model` or an alias). */
  model: string;
  /** Leading system and developer instructions, joined in order. */
  system?: string;
  messages: ChatMessage[];
  tools: ToolDefinition[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop: string[];
  responseFormat: ResponseFormat;
  reasoning?: ReasoningRequest;
  stream: boolean;
  /** Free-form caller metadata (OpenAI `metadata`, Anthropic `metadata.user_id`, `user`). */
  metadata: Record<string, string>;
}
