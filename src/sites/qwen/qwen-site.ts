import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { readServerSentEvents } from '../../transports/http/read-server-sent-events.ts';
import type { Transport, TransportResponse } from '../../transports/transport.ts';
import { canSetCookies } from '../../transports/http/http-transport.ts';
import {
  type ModelCapabilitiesPatch,
  matchesModelPattern,
  resolveCapabilities,
} from '../kit/model-capabilities-config.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
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
import { buildCompletionRequest } from './build-completion-request.ts';
import { mapQwenError } from './map-qwen-error.ts';
import { signOssRequest } from './oss-v4-signature.ts';
import { qwenFileType, toQwenAttachment } from './qwen-file.ts';
import { jwtExpiry, needsRenewal, sha256Hex } from './qwen-token.ts';
import {
  ChatDetail,
  NewChat,
  ParseStatus,
  type QwenModel,
  QwenModels,
  QwenUser,
  SigninResponse,
  StsToken,
  unwrapData,
} from './qwen-wire.ts';
import { QwenChunkTranslator } from './translate-qwen-chunk.ts';

// Longer than 400 lines because it is one adapter class covering Qwen Chat's web API end to end (login, models, chats, OSS upload, streaming, stop); translation lives in its own modules.

export interface QwenSiteOptions {
  id: string;
  baseUrl: string;
  credentials?: { email: string; password: string };
  /** A JWT pasted by the user; renewed only when email and password are configured too. */
  token?: string;
  /** Where a logged-in page keeps its JWT (browser transport): read when there is no password. */
  tokenSource?: (signal: AbortSignal) => Promise<string | undefined>;
  /** Extra cookies sent as-is (the WAF's `ssxmod_itna*`). */
  cookies: Record<string, string>;
  headers: Record<string, string>;
  thinking: 'auto' | 'on' | 'off';
  incrementalOutput: boolean;
  include: string[];
  defaults: ModelCapabilities;
  overrides: Record<string, ModelCapabilitiesPatch>;
  acceptedMediaTypes: string[];
  maxUploadBytes: number;
  transport: Transport;
  logger: Logger;
  now?: () => Date;
  /** Pause between document-parse status polls. */
  parsePollMs?: number;
}

export const QWEN_DEFAULT_CAPABILITIES: ModelCapabilities = {
  vision: false,
  files: false,
  nativeTools: false,
  reasoning: false,
  // The web app has no system prompt field; the pipeline puts instructions in the message.
  systemPrompt: false,
  maxInputChars: 100_000,
};

/** The web client's own headers (Qwen2API request.js; Chat2API qwen-ai.ts). */
const CLIENT_HEADERS = { source: 'web', 'bx-v': '2.5.36' };

/**
 * Qwen Chat (chat.qwen.ai) over its web API: JWT sign-in, `/api/models` with capability metadata,
 * chats as threads (a turn links to the previous reply through `parent_id`), SSE replies with
 * think/answer phases, uploads through STS credentials and a signed PUT to Aliyun OSS.
 */
export class QwenSite implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities: SiteCapabilities;
  readonly #options: QwenSiteOptions;
  readonly #base: string;
  #token: string | undefined;
  #signingIn: Promise<void> | undefined;
  /** chat id → the last reply's `response_id` (the next turn's parent); read from the site when missing. */
  readonly #parents = new Map<string, string>();
  /** model id → it can show its thinking, from the last model listing. */
  readonly #thinkingModels = new Map<string, boolean>();

  constructor(options: QwenSiteOptions) {
    this.id = options.id;
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.capabilities = {
      threads: true,
      deleteThreads: true,
      uploads: true,
      acceptedMediaTypes: options.acceptedMediaTypes,
      maxUploadBytes: options.maxUploadBytes,
      models: options.defaults,
    };
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  async login(signal: AbortSignal): Promise<void> {
    // Concurrent turns that all find the token stale share one sign-in.
    this.#signingIn ??= this.#signIn(signal).finally(() => {
      this.#signingIn = undefined;
    });
    return this.#signingIn;
  }

  async #signIn(signal: AbortSignal): Promise<void> {
    const credentials = this.#options.credentials;
    if (!credentials) {
      if (this.#token && !needsRenewal(this.#token, this.#now(), 0)) return;
      throw new NeedsLoginError(
        'the Qwen Chat token expired and no email/password is configured to renew it',
      );
    }
    const response = await this.#options.transport.fetch(`${this.#base}/api/v1/auths/signin`, {
      method: 'POST',
      headers: { ...this.#baseHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ email: credentials.email, password: sha256Hex(credentials.password) }),
      signal,
    });
    const text = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 400 || response.status === 403) {
      throw new NeedsLoginError('Qwen Chat rejected the configured email or password');
    }
    if (response.status !== 200)
      throw mapQwenError({ status: response.status, body: text, action: 'sign in' });
    let parsed: ReturnType<typeof SigninResponse.safeParse>;
    try {
      parsed = SigninResponse.safeParse(unwrapData(JSON.parse(text)));
    } catch {
      throw mapQwenError({ status: 502, body: text, action: 'sign in' });
    }
    if (!parsed.success) throw new NeedsLoginError('Qwen Chat signed in without returning a token');
    this.#token = parsed.data.token;
    if (canSetCookies(this.#options.transport)) {
      await this.#options.transport.setCookie(this.#base, 'token', this.#token);
    }
    this.#options.logger.info({ site: this.id }, 'signed in to Qwen Chat');
  }

  #baseHeaders(): Record<string, string> {
    const cookies = Object.entries(this.#options.cookies);
    return {
      accept: 'application/json, text/plain, */*',
      origin: new URL(this.#base).origin,
      referer: `${this.#base}/`,
      ...CLIENT_HEADERS,
      ...(cookies.length > 0 ? { cookie: cookies.map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      ...this.#options.headers,
    };
  }

  /** Calls the site with a fresh token; one retry after signing in again when it says 401. */
  async #api(
    path: string,
    init: { method?: string; json?: unknown; accept?: string },
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      if (needsRenewal(this.#token, this.#now()) && this.#options.credentials) await this.login(signal);
      if (!this.#token) await this.login(signal);
      const headers: Record<string, string> = {
        ...this.#baseHeaders(),
        authorization: `Bearer ${this.#token}`,
        'x-request-id': randomUUID(),
      };
      if (init.accept) headers.accept = init.accept;
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      const response = await this.#options.transport.fetch(`${this.#base}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        signal,
      });
      if (response.status === 401 && attempt === 0 && this.#options.credentials) {
        await response.text().catch(() => undefined);
        this.#token = undefined;
        continue;
      }
      return response;
    }
  }

  /** The JSON body of a call that must succeed; `{success:false}` answers are failures too. */
  async #json(response: TransportResponse, action: string, chatId?: string): Promise<unknown> {
    const text = await response.text().catch(() => '');
    const failure = {
      status: response.status,
      body: text,
      retryAfter: response.headers.get('retry-after'),
      action,
      chatId,
    };
    if (response.status !== 200) throw mapQwenError(failure);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw mapQwenError({ ...failure, status: 502 });
    }
    if (body && typeof body === 'object' && (body as { success?: unknown }).success === false) {
      throw mapQwenError({ ...failure, status: 200 });
    }
    return body;
  }

  async listModels(signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<SiteModel[]> {
    const body = QwenModels.safeParse(
      await this.#json(await this.#api('/api/models', {}, signal), 'list models'),
    );
    if (!body.success) throw new GatewayError('upstream', 'The Qwen Chat model list has an unknown shape.');
    const { include, defaults, overrides } = this.#options;
    const models: SiteModel[] = [];
    for (const model of body.data.data) {
      const meta = model.info?.meta;
      if (meta?.chat_type && !meta.chat_type.includes('t2t')) continue;
      if (include.length > 0 && !include.some((p) => matchesModelPattern(model.id, p))) continue;
      const capabilities = resolveCapabilities(model.id, defaults, capabilitiesOf(model), overrides);
      this.#thinkingModels.set(model.id, capabilities.reasoning);
      models.push({ id: model.id, displayName: model.name?.trim() || model.id, capabilities });
    }
    return models;
  }

  async *send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const chatId = turn.threadId ?? (await this.#newChat(turn.model, signal));
    const parentId = turn.threadId ? await this.#parentOf(turn.threadId, signal) : null;
    const body = buildCompletionRequest({
      turn,
      chatId,
      parentId,
      thinking: this.#thinkingFor(turn.model),
      incremental: this.#options.incrementalOutput,
      messageId: randomUUID(),
      now: this.#now(),
    });
    const response = await this.#api(
      `/api/v2/chat/completions?chat_id=${encodeURIComponent(chatId)}`,
      { method: 'POST', json: body, accept: 'text/event-stream' },
      signal,
    );
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !contentType.includes('text/event-stream')) {
      // Errors come as statuses, as `{success:false}` JSON with status 200, or as the WAF's HTML page.
      const text = await response.text().catch(() => '');
      throw mapQwenError({
        status: response.status === 200 ? 502 : response.status,
        body: text,
        retryAfter: response.headers.get('retry-after'),
        action: 'answer',
        chatId: turn.threadId,
      });
    }
    yield { type: 'thread', threadId: chatId };
    const translator = new QwenChunkTranslator({ incremental: this.#options.incrementalOutput });
    for await (const message of readServerSentEvents(response.body)) {
      if (message.data.trim() === '[DONE]') break;
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        continue;
      }
      const result = translator.push(payload, turn.threadId);
      if (result.responseId) this.#parents.set(chatId, result.responseId);
      yield* result.events;
      if (result.done) return;
    }
    if (signal.aborted) throw signal.reason;
    yield* translator.end();
  }

  #thinkingFor(model: string): boolean {
    if (this.#options.thinking !== 'auto') return this.#options.thinking === 'on';
    return this.#thinkingModels.get(model) ?? false;
  }

  async #newChat(model: string, signal: AbortSignal): Promise<string> {
    const response = await this.#api(
      '/api/v2/chats/new',
      {
        method: 'POST',
        json: {
          title: 'New Chat',
          models: [model],
          chat_mode: 'normal',
          chat_type: 't2t',
          timestamp: this.#now().getTime(),
          project_id: '',
        },
      },
      signal,
    );
    const created = NewChat.safeParse(unwrapData(await this.#json(response, 'start a chat')));
    if (!created.success) throw new GatewayError('upstream', 'Qwen Chat did not return a chat id.');
    return created.data.id;
  }

  /** The reply the next turn hangs under: remembered from the stream, else read from the chat. */
  async #parentOf(chatId: string, signal: AbortSignal): Promise<string | null> {
    const known = this.#parents.get(chatId);
    if (known) return known;
    const response = await this.#api(`/api/v2/chats/${encodeURIComponent(chatId)}`, {}, signal);
    if (response.status === 404) {
      await response.text().catch(() => undefined);
      throw new ThreadNotFoundError(chatId);
    }
    const detail = ChatDetail.safeParse(unwrapData(await this.#json(response, 'open the chat', chatId)));
    if (!detail.success) throw new GatewayError('upstream', 'Qwen Chat returned a chat in an unknown shape.');
    const history = detail.data.chat?.history;
    const current = history?.currentId ?? detail.data.currentId;
    if (current) return current;
    const messages = Array.isArray(history?.messages)
      ? history.messages
      : Object.values(history?.messages ?? {});
    const last = messages
      .filter((m): m is { id: string; role?: string } => typeof (m as { id?: unknown })?.id === 'string')
      .filter((m) => m.role === 'assistant')
      .at(-1);
    return last?.id ?? null;
  }

  async upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment> {
    if (file.data.byteLength > this.#options.maxUploadBytes) {
      throw new GatewayError(
        'request_too_large',
        `The file is ${file.data.byteLength} bytes; Qwen Chat takes at most ${this.#options.maxUploadBytes}.`,
      );
    }
    if (!this.#options.acceptedMediaTypes.includes(file.mediaType)) {
      throw new GatewayError('invalid_request', `Qwen Chat does not take ${file.mediaType} files.`);
    }
    const stsResponse = await this.#api(
      '/api/v2/files/getstsToken',
      {
        method: 'POST',
        json: {
          filename: file.filename,
          filesize: file.data.byteLength,
          filetype: qwenFileType(file.mediaType),
        },
      },
      signal,
    );
    const sts = StsToken.safeParse(unwrapData(await this.#json(stsResponse, 'start an upload')));
    if (!sts.success)
      throw new GatewayError('upstream', 'Qwen Chat returned upload credentials in an unknown shape.');
    await this.#putToOss(sts.data, file, signal);
    if (qwenFileType(file.mediaType) === 'file') await this.#parseDocument(sts.data.file_id, signal);
    return toQwenAttachment({
      id: sts.data.file_id,
      url: sts.data.file_url,
      name: file.filename,
      size: file.data.byteLength,
      mediaType: file.mediaType,
    });
  }

  async #putToOss(sts: StsToken, file: UploadInput, signal: AbortSignal): Promise<void> {
    const target = new URL(sts.file_url);
    const bucket = sts.bucketname ?? target.hostname.split('.')[0] ?? '';
    const headers = signOssRequest({
      method: 'PUT',
      bucket,
      objectKey: sts.file_path.replace(/^\/+/, ''),
      region: sts.region ?? 'ap-southeast-1',
      accessKeyId: sts.access_key_id,
      accessKeySecret: sts.access_key_secret,
      securityToken: sts.security_token,
      contentType: file.mediaType,
      now: this.#now(),
    });
    // The signed URL's query belongs to a GET link; the PUT is authorised by the header instead.
    const response = await this.#options.transport.fetch(`${target.origin}${target.pathname}`, {
      method: 'PUT',
      headers,
      body: file.data,
      signal,
    });
    const text = await response.text().catch(() => '');
    if (response.status !== 200) {
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
      throw new GatewayError(
        'upstream',
        `Aliyun OSS refused the upload (${response.status}${code ? ` ${code}` : ''}).`,
      );
    }
  }

  /** Documents must be parsed by the site before a message can use them (Qwen2API upload.js). */
  async #parseDocument(fileId: string, signal: AbortSignal): Promise<void> {
    await this.#json(
      await this.#api('/api/v2/files/parse', { method: 'POST', json: { file_id: fileId } }, signal),
      'read the document',
    );
    for (let attempt = 0; attempt < 30; attempt++) {
      const status = ParseStatus.safeParse(
        unwrapData(
          await this.#json(
            await this.#api(
              '/api/v2/files/parse/status',
              { method: 'POST', json: { file_id_list: [fileId] } },
              signal,
            ),
            'read the document',
          ),
        ),
      );
      const records = !status.success
        ? []
        : Array.isArray(status.data)
          ? status.data
          : (status.data.list ?? [status.data]);
      const state = String(
        records.find((r) => !r.file_id || r.file_id === fileId)?.status ?? '',
      ).toLowerCase();
      if (state === 'success' || state === 'completed' || state === 'done') return;
      if (state === 'failed' || state === 'error')
        throw new GatewayError('invalid_request', 'Qwen Chat could not read the document.');
      await new Promise((resolve) => setTimeout(resolve, this.#options.parsePollMs ?? 500));
    }
    throw new GatewayError('timeout', 'Qwen Chat took too long to read the document.');
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    const response = await this.#api(
      `/api/v2/chats/${encodeURIComponent(threadId)}`,
      { method: 'DELETE' },
      signal,
    );
    const text = await response.text().catch(() => '');
    this.#parents.delete(threadId);
    if (response.status === 404) return;
    if (response.status !== 200)
      throw mapQwenError({ status: response.status, body: text, action: 'delete the chat' });
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    let response: TransportResponse;
    try {
      response = await this.#api('/api/v1/auths/', {}, signal);
    } catch (error) {
      if (error instanceof NeedsLoginError) return { state: 'needs-login', reason: error.message };
      throw error;
    }
    const text = await response.text().catch(() => '');
    if (response.status === 401)
      return { state: 'needs-login', reason: 'Qwen Chat rejected the session token' };
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      return { state: 'challenge', reason: 'Qwen Chat answered with an anti-bot (Aliyun WAF) page' };
    }
    if (response.status !== 200)
      throw mapQwenError({ status: response.status, body: text, action: 'check the session' });
    let user: ReturnType<typeof QwenUser.safeParse> | undefined;
    try {
      user = QwenUser.safeParse(unwrapData(JSON.parse(text)));
    } catch {
      user = undefined;
    }
    const expiresAt = this.#token ? jwtExpiry(this.#token) : undefined;
    return {
      state: 'ok',
      ...(user?.success ? { user: user.data.email ?? user.data.name ?? undefined } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    };
  }

  async close(): Promise<void> {
    await this.#options.transport.close();
  }
}

function capabilitiesOf(model: QwenModel): ModelCapabilitiesPatch {
  const meta = model.info?.meta;
  const patch: ModelCapabilitiesPatch = {};
  if (!meta) return patch;
  if (meta.capabilities?.vision !== undefined) patch.vision = meta.capabilities.vision;
  if (meta.capabilities?.document !== undefined) patch.files = meta.capabilities.document;
  // abilities.thinking: 1 = can be switched on, 4 = always thinks (QwQ, QvQ); 2 = not available.
  const thinking = meta.abilities?.thinking;
  patch.reasoning = meta.capabilities?.thinking === true || thinking === 1 || thinking === 4;
  // Tokens → characters at a conservative 3 per token.
  if (meta.max_context_length && meta.max_context_length > 0)
    patch.maxInputChars = meta.max_context_length * 3;
  return patch;
}
