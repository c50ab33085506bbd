import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Transport, TransportResponse } from '../../transports/transport.ts';
import { fromInlineAttachment, toInlineAttachment } from '../kit/inline-attachment.ts';
import {
  type ModelCapabilitiesPatch,
  matchesModelPattern,
  resolveCapabilities,
} from '../kit/model-capabilities-config.ts';
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
import {
  ConversationMessages,
  CreatedConversation,
  HuggingChatModels,
  HuggingChatUser,
  unwrapSuperjson,
} from './huggingchat-wire.ts';
import { mapHuggingChatError } from './map-huggingchat-error.ts';
import { readJsonLines } from './read-json-lines.ts';
import { MessageUpdateTranslator } from './translate-message-update.ts';

export interface HuggingChatSiteOptions {
  id: string;
  /** `https://huggingface.co/chat`. */
  baseUrl: string;
  /** `hf_…` access token, sent as Bearer; absent when the session cookie is in the transport. */
  token?: string;
  include: string[];
  defaults: ModelCapabilities;
  overrides: Record<string, ModelCapabilitiesPatch>;
  acceptedMediaTypes: string[];
  maxUploadBytes: number;
  transport: Transport;
  logger: Logger;
}

export const HUGGINGCHAT_DEFAULT_CAPABILITIES: ModelCapabilities = {
  vision: false,
  files: false,
  // HuggingChat's tools are its own server-side MCP tools, not client function calling.
  nativeTools: false,
  reasoning: false,
  // The conversation's `preprompt`.
  systemPrompt: true,
  maxInputChars: 100_000,
};

/**
 * HuggingChat (huggingface/chat-ui) driven through its web API: conversations are threads, a turn
 * is a multipart POST answered by JSON-lines `MessageUpdate`s. Files travel inside that POST (there
 * is no separate upload), so `upload` keeps them inline like the OpenAI-compatible adapter does.
 */
export class HuggingChatSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities: SiteCapabilities;
  readonly #options: HuggingChatSiteOptions;
  readonly #base: string;

  constructor(options: HuggingChatSiteOptions) {
    this.id = options.id;
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.capabilities = {
      threads: true,
      deleteThreads: true,
      uploads: true,
      acceptedMediaTypes: options.acceptedMediaTypes,
      maxUploadBytes: options.maxUploadBytes,
      models: options.defaults,
    };
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/json',
      origin: new URL(this.#base).origin,
      referer: `${this.#base}/`,
      ...(this.#options.token ? { authorization: `Bearer ${this.#options.token}` } : {}),
      ...extra,
    };
  }

  async #request(
    path: string,
    init: { method?: string; json?: unknown; body?: FormData; accept?: string },
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    const headers = this.#headers(init.accept ? { accept: init.accept } : {});
    let body: string | FormData | undefined = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    return this.#options.transport.fetch(`${this.#base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body,
      signal,
    });
  }

  async #failure(
    response: TransportResponse,
    action: string,
    conversationId?: string,
  ): Promise<GatewayError> {
    return mapHuggingChatError({
      status: response.status,
      body: await response.text().catch(() => ''),
      retryAfter: response.headers.get('retry-after'),
      action,
      conversationId,
    });
  }

  async listModels(signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<SiteModel[]> {
    const response = await this.#request('/api/v2/models', {}, signal);
    if (response.status !== 200) throw await this.#failure(response, 'list models');
    const parsed = HuggingChatModels.safeParse(unwrapSuperjson(await response.json().catch(() => undefined)));
    if (!parsed.success)
      throw new GatewayError('upstream', 'The HuggingChat model list has an unknown shape.');
    const { include, defaults, overrides } = this.#options;
    return parsed.data
      .filter((model) => model.unlisted !== true)
      .filter((model) => include.length === 0 || include.some((p) => matchesModelPattern(model.id, p)))
      .map((model) => ({
        id: model.id,
        displayName: model.displayName?.trim() || model.name || model.id,
        capabilities: resolveCapabilities(
          model.id,
          defaults,
          {
            vision: model.multimodal === true,
            files: (model.multimodalAcceptedMimetypes ?? []).some((m) => !m.startsWith('image/')),
          },
          overrides,
        ),
      }));
  }

  async *send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const conversationId = turn.threadId ?? (await this.#createConversation(turn, signal));
    const parentId = await this.#lastMessageId(conversationId, turn.threadId !== undefined, signal);
    const form = new FormData();
    form.append(
      'data',
      JSON.stringify({ inputs: turn.text, id: parentId, is_retry: false, is_continue: false }),
    );
    for (const attachment of turn.attachments) {
      const file = fromInlineAttachment(attachment);
      // chat-ui's client sends each file as base64 text in a part named `base64;<filename>`.
      form.append('files', new Blob([file.base64], { type: file.mediaType }), `base64;${file.filename}`);
    }
    const response = await this.#request(
      `/conversation/${encodeURIComponent(conversationId)}`,
      { method: 'POST', body: form, accept: '*/*' },
      signal,
    );
    if (response.status !== 200)
      throw await this.#failure(response, 'answer', turn.threadId ? conversationId : undefined);
    yield { type: 'thread', threadId: conversationId };
    const onAbort = () => this.#stopGenerating(conversationId);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const translator = new MessageUpdateTranslator();
      for await (const line of readJsonLines(response.body)) {
        const result = translator.push(line);
        yield* result.events;
        if (result.done) return;
      }
      if (signal.aborted) throw signal.reason;
      yield* translator.end();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async #createConversation(turn: SiteTurn, signal: AbortSignal): Promise<string> {
    const response = await this.#request(
      '/conversation',
      {
        method: 'POST',
        json: { model: turn.model, ...(turn.systemPrompt ? { preprompt: turn.systemPrompt } : {}) },
      },
      signal,
    );
    if (response.status !== 200) {
      const error = await this.#failure(response, 'start a conversation');
      // chat-ui answers 400 for a model id it does not know.
      throw response.status === 400
        ? new GatewayError('not_found', `HuggingChat has no model '${turn.model}'.`, { param: 'model' })
        : error;
    }
    const created = CreatedConversation.safeParse(await response.json().catch(() => undefined));
    if (!created.success) throw new GatewayError('upstream', 'HuggingChat did not return a conversation id.');
    return created.data.conversationId;
  }

  /** The message the new one hangs under: the tip of the conversation tree (its root on a new one). */
  async #lastMessageId(
    conversationId: string,
    existing: boolean,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const response = await this.#request(
      `/api/v2/conversations/${encodeURIComponent(conversationId)}`,
      {},
      signal,
    );
    if (response.status !== 200)
      throw await this.#failure(response, 'open the conversation', existing ? conversationId : undefined);
    const parsed = ConversationMessages.safeParse(
      unwrapSuperjson(await response.json().catch(() => undefined)),
    );
    if (!parsed.success)
      throw new GatewayError('upstream', 'HuggingChat returned a conversation in an unknown shape.');
    return parsed.data.messages.at(-1)?.id ?? parsed.data.rootMessageId ?? undefined;
  }

  #stopGenerating(conversationId: string): void {
    // Closing the stream alone leaves chat-ui generating (and billing) in the background.
    void this.#request(
      `/conversation/${encodeURIComponent(conversationId)}/stop-generating`,
      { method: 'POST', json: {} },
      AbortSignal.timeout(5_000),
    )
      .then((r) => r.text())
      .catch(() => undefined);
  }

  async upload(file: UploadInput, _signal: AbortSignal): Promise<SiteAttachment> {
    if (file.data.byteLength > this.#options.maxUploadBytes) {
      throw new GatewayError(
        'request_too_large',
        `The file is ${file.data.byteLength} bytes; HuggingChat takes at most ${this.#options.maxUploadBytes}.`,
      );
    }
    if (!this.#options.acceptedMediaTypes.includes(file.mediaType)) {
      throw new GatewayError('invalid_request', `HuggingChat does not take ${file.mediaType} files.`);
    }
    return toInlineAttachment(file);
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    const response = await this.#request(
      `/api/v2/conversations/${encodeURIComponent(threadId)}`,
      { method: 'DELETE' },
      signal,
    );
    await response.text().catch(() => undefined);
    // Already gone is what deleting wanted.
    if (response.status === 200 || response.status === 204 || response.status === 404) return;
    throw await this.#failure(response, 'delete the conversation');
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    const response = await this.#request('/api/v2/user', {}, signal);
    if (response.status === 401 || response.status === 403) {
      await response.text().catch(() => undefined);
      return { state: 'needs-login', reason: 'HuggingChat does not accept the token or cookie' };
    }
    if (response.status !== 200) throw await this.#failure(response, 'check the session');
    const user = HuggingChatUser.safeParse(unwrapSuperjson(await response.json().catch(() => undefined)));
    // chat-ui answers `null` for an anonymous visitor: the cookie or token did not log anyone in.
    if (!user.success || user.data === null) {
      return {
        state: 'needs-login',
        reason: 'HuggingChat sees an anonymous visitor (cookie or token expired)',
      };
    }
    return { state: 'ok', user: user.data.username ?? user.data.email ?? undefined };
  }

  async login(signal: AbortSignal): Promise<void> {
    // Token and cookie are the login; there is no password flow to run. Prove they still work.
    const state = await this.checkSession(signal);
    if (state.state !== 'ok') throw new NeedsLoginError(state.reason);
  }

  async close(): Promise<void> {
    await this.#options.transport.close();
  }
}
