import type { ToolChoice, ToolDefinition } from '../core/chat-request.ts';

/**
 * The contract every site adapter implements (version 1). The pipeline talks only to this; how the
 * adapter reaches the site (plain HTTP, a browser, a recipe) is its own business.
 */
export const SITE_INTERFACE_VERSION = 1 as const;

export interface ModelCapabilities {
  vision: boolean;
  /** Accepts non-image files (PDF, text) as attachments. */
  files: boolean;
  /** Takes a tools list and answers with structured calls. */
  nativeTools: boolean;
  /** Streams visible reasoning before the answer. */
  reasoning: boolean;
  /** Has a per-thread system prompt / custom instructions field. */
  systemPrompt: boolean;
  /** Largest user text (characters) the site accepts in one message. */
  maxInputChars: number;
}

export interface SiteCapabilities {
  /** Threads can be continued by id (otherwise every turn carries the whole history). */
  threads: boolean;
  /** Threads can be deleted through the adapter. */
  deleteThreads: boolean;
  uploads: boolean;
  /** Media types the site's upload accepts. */
  acceptedMediaTypes: string[];
  maxUploadBytes: number;
  /** Default per-model capabilities; a model may override them. */
  models: ModelCapabilities;
}

export interface SiteModel {
  /** The site's own id for the model. */
  id: string;
  displayName: string;
  capabilities: ModelCapabilities;
}

export interface SiteAttachment {
  fileId: string;
  mediaType: string;
  filename?: string;
}

/** A native tool result sent back to a site that has function calling. */
export interface SiteToolResult {
  toolCallId: string;
  name: string;
  content: string;
  isError: boolean;
}

/** One user turn, already rendered for the site: the adapter sends it as one message. */
export interface SiteTurn {
  model: string;
  /** Continue this site thread; absent starts a new one. */
  threadId?: string;
  text: string;
  /** Set on a new thread when the model supports a system prompt. */
  systemPrompt?: string;
  attachments: SiteAttachment[];
  /** Only for models with native tools. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  toolResults?: SiteToolResult[];
  temperature?: number;
  maxOutputTokens?: number;
}

export type SiteEvent =
  /** The thread the turn went to (new or continued) and its turn number on the site. */
  | { type: 'thread'; threadId: string; turn?: number; messageId?: string }
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  | { type: 'tool-call'; id: string; name: string; arguments: string }
  | { type: 'finish'; reason: 'stop' | 'length' | 'tool-calls' };

export type SessionState =
  | { state: 'ok'; user?: string; expiresAt?: Date }
  | { state: 'needs-login'; reason: string }
  | { state: 'challenge'; reason: string };

export interface UploadInput {
  data: Uint8Array;
  filename: string;
  mediaType: string;
}

export interface Site {
  readonly interfaceVersion: typeof SITE_INTERFACE_VERSION;
  /** Instance name from config (`demo`, `poe-main`…); public model names are `<id>/<model>`. */
  readonly id: string;
  readonly capabilities: SiteCapabilities;
  listModels(signal?: AbortSignal): Promise<SiteModel[]>;
  /**
   * Sends one turn and streams the reply. Throws a GatewayError for site failures (before or
   * during the stream). Aborting `signal` must stop the generation on the site.
   */
  send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent>;
  upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment>;
  deleteThread(threadId: string, signal: AbortSignal): Promise<void>;
  checkSession(signal: AbortSignal): Promise<SessionState>;
  /** Logs in (or refreshes the session) with the configured credentials. */
  login(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
