import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { readServerSentEvents } from '../../transports/http/read-server-sent-events.ts';
import type { Transport, TransportResponse } from '../../transports/transport.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';
import {
  type ModelCapabilities,
  SITE_INTERFACE_VERSION,
  type SessionState,
  type Site,
  type SiteAttachment,
  type SiteCapabilities,
  type SiteEvent,
  type SiteModel,
  type SiteTurn,
  type UploadInput,
} from '../../site-contract/site.ts';
import { buildChatRequest } from './build-chat-request.ts';
import { toInlineAttachment } from '../kit/inline-attachment.ts';
import { mapUpstreamError } from '../kit/map-upstream-error.ts';
import { type ModelCapabilitiesPatch, resolveCapabilities } from '../kit/model-capabilities-config.ts';
import { modelsFromListing } from './models-from-listing.ts';
import { OpenAICompletion, OpenAIModelsBody } from './openai-wire.ts';
import { ChunkTranslator, translateCompletion } from './translate-chat-chunk.ts';

export interface OpenAICompatibleSiteOptions {
  id: string;
  /** Up to and including the version segment: `https://api.poe.com/v1`. */
  baseUrl: string;
  apiKey: string;
  headers: Record<string, string>;
  models: {
    source: 'upstream' | 'static';
    static: Array<{ id: string; displayName?: string; capabilities?: ModelCapabilitiesPatch }>;
    include: string[];
  };
  /** Every model's capabilities before the listing and the overrides speak. */
  defaults: ModelCapabilities;
  overrides: Record<string, ModelCapabilitiesPatch>;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  acceptedMediaTypes: string[];
  maxUploadBytes: number;
  extraBody: Record<string, unknown>;
  /** What a 402 means on this upstream (`Poe points`). */
  balanceName: string;
  transport: Transport;
  logger: Logger;
}

/**
 * Any OpenAI-compatible Chat Completions server used as a site (Poe's official API, the HuggingFace
 * router, a local vLLM…). It has no threads, so the pipeline sends the flattened history as one
 * user message on every turn; tools, images and reasoning pass through natively.
 *
 * Uploads: the upstream has no upload step; `upload` encodes the bytes into the attachment id
 * (a data URL, see inline-attachment.ts) and `send` inlines them into the message.
 */
export class OpenAICompatibleSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities: SiteCapabilities;
  readonly #options: OpenAICompatibleSiteOptions;
  readonly #base: string;

  constructor(options: OpenAICompatibleSiteOptions) {
    this.id = options.id;
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.capabilities = {
      threads: false,
      deleteThreads: false,
      uploads: true,
      acceptedMediaTypes: options.acceptedMediaTypes,
      maxUploadBytes: options.maxUploadBytes,
      models: options.defaults,
    };
  }

  #headers(accept: string, json: boolean): Record<string, string> {
    return {
      ...this.#options.headers,
      authorization: `Bearer ${this.#options.apiKey}`,
      accept,
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  async #get(path: string, signal: AbortSignal): Promise<TransportResponse> {
    return this.#options.transport.fetch(`${this.#base}${path}`, {
      headers: this.#headers('application/json', false),
      signal,
    });
  }

  async #failure(response: TransportResponse, action: string): Promise<GatewayError> {
    return mapUpstreamError({
      status: response.status,
      body: await response.text().catch(() => ''),
      retryAfter: response.headers.get('retry-after'),
      action,
      balanceName: this.#options.balanceName,
    });
  }

  async listModels(signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<SiteModel[]> {
    const { models, defaults, overrides } = this.#options;
    if (models.source === 'static') {
      return models.static.map((model) => ({
        id: model.id,
        displayName: model.displayName ?? model.id,
        capabilities: resolveCapabilities(model.id, defaults, model.capabilities ?? {}, overrides),
      }));
    }
    const response = await this.#get('/models', signal);
    if (response.status !== 200) throw await this.#failure(response, 'list models');
    const body = OpenAIModelsBody.safeParse(await response.json().catch(() => undefined));
    if (!body.success)
      throw new GatewayError('upstream', 'The upstream model list is not in the OpenAI format.');
    const listed = modelsFromListing(body.data.data, { defaults, overrides, include: models.include });
    // Configured static models add to the listing (a bot the listing hides, with known capabilities).
    for (const model of models.static) {
      if (listed.some((m) => m.id === model.id)) continue;
      listed.push({
        id: model.id,
        displayName: model.displayName ?? model.id,
        capabilities: resolveCapabilities(model.id, defaults, model.capabilities ?? {}, overrides),
      });
    }
    return listed;
  }

  async *send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const request = buildChatRequest(turn, {
      maxTokensField: this.#options.maxTokensField,
      extraBody: this.#options.extraBody,
    });
    const customToolNames = new Set(turn.tools?.filter((t) => t.kind === 'custom').map((t) => t.name));
    const response = await this.#options.transport.fetch(`${this.#base}/chat/completions`, {
      method: 'POST',
      headers: this.#headers('text/event-stream', true),
      body: JSON.stringify(request),
      signal,
    });
    if (response.status !== 200) throw await this.#failure(response, 'answer');
    if ((response.headers.get('content-type') ?? '').includes('application/json')) {
      const body = OpenAICompletion.safeParse(await response.json());
      if (!body.success) throw new GatewayError('upstream', 'The upstream answered in an unknown format.');
      yield* translateCompletion(body.data, { customToolNames });
      return;
    }
    const translator = new ChunkTranslator({ customToolNames });
    let sawDone = false;
    for await (const message of readServerSentEvents(response.body)) {
      if (message.data.trim() === '[DONE]') {
        sawDone = true;
        break;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        // Some proxies interleave non-JSON keep-alive data lines; they carry nothing.
        continue;
      }
      yield* translator.push(payload);
      // Whatever follows the finish (a usage chunk, `[DONE]`) carries nothing a SiteEvent holds.
      if (translator.finished) return;
    }
    if (signal.aborted) throw signal.reason;
    yield* translator.end(sawDone);
  }

  async upload(file: UploadInput, _signal: AbortSignal): Promise<SiteAttachment> {
    if (file.data.byteLength > this.#options.maxUploadBytes) {
      throw new GatewayError(
        'request_too_large',
        `The file is ${file.data.byteLength} bytes; this upstream takes at most ${this.#options.maxUploadBytes}.`,
      );
    }
    if (!this.#options.acceptedMediaTypes.includes(file.mediaType)) {
      throw new GatewayError('invalid_request', `This upstream does not take ${file.mediaType} files.`);
    }
    return toInlineAttachment(file);
  }

  async deleteThread(_threadId: string, _signal: AbortSignal): Promise<void> {
    // Stateless upstream: there is never a thread to delete.
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    const response = await this.#get('/models', signal);
    const body = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) {
      return { state: 'needs-login', reason: `the upstream rejected the API key (${response.status})` };
    }
    // A server without a model listing (404) still took the key; anything else is the upstream's fault.
    if (response.status === 200 || response.status === 404) return { state: 'ok' };
    throw mapUpstreamError({
      status: response.status,
      body,
      action: 'check the key',
      balanceName: this.#options.balanceName,
    });
  }

  async login(signal: AbortSignal): Promise<void> {
    // An API key has no login; this only proves the key works so a bad one is reported early.
    const state = await this.checkSession(signal);
    if (state.state !== 'ok') throw new NeedsLoginError(state.reason);
  }

  async close(): Promise<void> {
    await this.#options.transport.close();
  }
}
