import type { ChatEvent } from '../core/chat-event.ts';
import type { ChatRequest } from '../core/chat-request.ts';
import type { GatewayError } from '../core/errors.ts';
import type { Principal } from '../auth/principal.ts';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: object;
}

export interface StreamRenderer {
  /** Frames sent once the site accepted the turn, before any event. */
  start(): string[];
  push(event: ChatEvent): string[];
  /** A keep-alive frame for long silences. */
  ping(): string;
  /** The whole response object the stream ended with, when the dialect has one (Responses). */
  result?(): object | undefined;
}

export interface RenderInput {
  id: string;
  publicModel: string;
  createdAt: number;
  inputTokens: number;
}

/**
 * One wire format as the HTTP layer sees it: parse to canonical, render canonical back. The
 * translation itself lives in `dialects/`; a front door only binds it to a route.
 */
export interface FrontDoor<Extras = unknown> {
  readonly dialect: 'openai' | 'anthropic';
  parse(body: unknown): { request: ChatRequest; extras: Extras };
  newId(): string;
  streamRenderer(input: RenderInput, extras: Extras, request: ChatRequest): StreamRenderer;
  renderResponse(events: ChatEvent[], input: RenderInput, extras: Extras, request: ChatRequest): object;
  renderError(error: GatewayError): RenderedError;
  /** Resolves server-side state before the run (Responses' `previous_response_id`). */
  prepare?(request: ChatRequest, extras: Extras, principal: Principal): Promise<ChatRequest>;
  /** Called after a generation finished successfully (Responses' `store`). */
  completed?(completion: Completion<Extras>): Promise<void>;
}

export interface Completion<Extras> {
  request: ChatRequest;
  extras: Extras;
  principal: Principal;
  input: RenderInput;
  events: ChatEvent[];
  /** What the client received: the JSON body, or the object the stream's last event carried. */
  rendered: object | undefined;
}
