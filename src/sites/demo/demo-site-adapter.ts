import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { readServerSentEvents } from '../../transports/http/read-server-sent-events.ts';
import type { Transport, TransportResponse } from '../../transports/transport.ts';
import { openWebSocket } from '../kit/open-websocket.ts';
import { AccountDisabledError, NeedsLoginError } from '../../site-contract/site-errors.ts';
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
import { CSRF_META, DemoModelsBody, DemoUploadBody } from './demo-wire.ts';
import { mapDemoError, parseDemoError, suspendedPageReason } from './map-demo-error.ts';
import { translateDemoFrame } from './translate-demo-frame.ts';

export interface DemoSiteAdapterOptions {
  id: string;
  baseUrl: string;
  credentials: { username: string; password: string };
  /** Which of the site's two streaming transports to use. */
  streaming: 'sse' | 'ws';
  transport: Transport;
  /** The account's proxy, for the WebSocket (`streaming: ws`; the transport carries the rest). */
  proxy?: string | undefined;
  logger: Logger;
}

const DEFAULT_MODEL_CAPABILITIES: ModelCapabilities = {
  vision: false,
  files: false,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 100_000,
};

export const DEMO_SITE_CAPABILITIES: SiteCapabilities = {
  threads: true,
  deleteThreads: true,
  uploads: true,
  acceptedMediaTypes: [
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'application/pdf',
    'text/plain',
    'text/markdown',
    'application/json',
    'text/csv',
  ],
  maxUploadBytes: 10 * 1024 * 1024,
  models: DEFAULT_MODEL_CAPABILITIES,
};

/** The demo chat site driven through its own web API (login, CSRF, threads, SSE or WebSocket). */
export class DemoSiteAdapter implements Site {
  readonly interfaceVersion = SITE_INTERFACE_VERSION;
  readonly id: string;
  readonly capabilities = DEMO_SITE_CAPABILITIES;
  readonly #options: DemoSiteAdapterOptions;
  #csrfToken: string | undefined;
  #loggingIn: Promise<void> | undefined;

  constructor(options: DemoSiteAdapterOptions) {
    this.id = options.id;
    this.#options = options;
  }

  get #base(): string {
    return this.#options.baseUrl.replace(/\/$/, '');
  }

  async login(signal: AbortSignal): Promise<void> {
    // Concurrent requests that all find the session expired share one login.
    this.#loggingIn ??= this.#performLogin(signal).finally(() => {
      this.#loggingIn = undefined;
    });
    return this.#loggingIn;
  }

  async #performLogin(signal: AbortSignal): Promise<void> {
    const { transport, credentials, logger } = this.#options;
    this.#csrfToken = undefined;
    await transport.clearSession();
    const response = await transport.fetch(`${this.#base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: credentials.username, password: credentials.password }),
      signal,
    });
    if (response.status === 401) throw new NeedsLoginError('the site rejected the configured credentials');
    if (response.status !== 200) throw await this.#errorFrom(response, 'login');
    await response.text();
    const page = await transport.fetch(`${this.#base}/`, { headers: { accept: 'text/html' }, signal });
    const html = await page.text();
    if (page.status === 403) {
      const suspended = suspendedPageReason(html);
      if (suspended) throw new AccountDisabledError(suspended);
      throw new NeedsLoginError('the site shows a challenge page');
    }
    const match = CSRF_META.exec(html);
    if (page.status !== 200 || !match?.[1])
      throw new NeedsLoginError('the app page did not load after login');
    this.#csrfToken = match[1];
    logger.info({ site: this.id }, 'logged in to demo site');
  }

  /** Calls the site's API with the session and CSRF token; re-logs in once when the session ended. */
  async #api(
    path: string,
    init: { method?: string; body?: string | FormData; json?: unknown; accept?: string },
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      if (!this.#csrfToken) await this.login(signal);
      const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
      let body = init.body;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.json);
      }
      if (init.method && init.method !== 'GET') headers['x-csrf-token'] = this.#csrfToken ?? '';
      const response = await this.#options.transport.fetch(`${this.#base}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body,
        signal,
      });
      if (
        (response.status === 401 || (response.status === 403 && (await isCsrfError(response)))) &&
        attempt === 0
      ) {
        await response.text().catch(() => undefined);
        this.#options.logger.info({ site: this.id, path }, 'demo site session ended; logging in again');
        this.#csrfToken = undefined;
        continue;
      }
      return response;
    }
  }

  async listModels(signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<SiteModel[]> {
    const response = await this.#api('/api/models', {}, signal);
    if (response.status !== 200) throw await this.#errorFrom(response, 'list models');
    const body = DemoModelsBody.parse(await response.json());
    return body.models.map((model) => ({
      id: model.id,
      displayName: model.name,
      capabilities: {
        vision: model.capabilities.vision ?? false,
        files: model.capabilities.files ?? false,
        nativeTools: model.capabilities.tools ?? false,
        reasoning: model.capabilities.reasoning ?? false,
        systemPrompt: model.capabilities.systemPrompt ?? true,
        maxInputChars: model.maxInputChars ?? DEFAULT_MODEL_CAPABILITIES.maxInputChars,
      },
    }));
  }

  send(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    return this.#options.streaming === 'ws'
      ? this.#sendOverWebSocket(turn, signal)
      : this.#sendOverSse(turn, signal);
  }

  #chatBody(turn: SiteTurn): Record<string, unknown> {
    return {
      threadId: turn.threadId,
      model: turn.model,
      text: turn.text,
      fileIds: turn.attachments.length > 0 ? turn.attachments.map((a) => a.fileId) : undefined,
      systemPrompt: turn.threadId ? undefined : turn.systemPrompt,
      tools: turn.tools?.map((tool) => ({
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
      })),
      toolChoice: toDemoToolChoice(turn),
      toolResults: turn.toolResults,
      maxTokens: turn.maxOutputTokens,
    };
  }

  async *#sendOverSse(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const response = await this.#api(
      '/api/chat',
      { method: 'POST', json: this.#chatBody(turn), accept: 'text/event-stream' },
      signal,
    );
    if (response.status !== 200) throw await this.#errorFrom(response, 'send', turn.threadId);
    let finished = false;
    try {
      for await (const message of readServerSentEvents(response.body)) {
        const result = translateDemoFrame(message.event ?? 'message', JSON.parse(message.data));
        if (result.event) yield result.event;
        if (result.done) {
          finished = true;
          break;
        }
      }
    } catch (error) {
      if (signal.aborted || error instanceof GatewayError) throw error;
      // undici reports a dropped connection as `TypeError: terminated`.
      throw new GatewayError('upstream', 'The site closed the stream before the reply finished.', {
        cause: error,
      });
    }
    if (!finished)
      throw new GatewayError('upstream', 'The site closed the stream before the reply finished.');
  }

  async *#sendOverWebSocket(turn: SiteTurn, signal: AbortSignal): AsyncIterable<SiteEvent> {
    const response = await this.#api('/api/messages', { method: 'POST', json: this.#chatBody(turn) }, signal);
    if (response.status !== 202 && response.status !== 200) {
      throw await this.#errorFrom(response, 'send', turn.threadId);
    }
    const started = (await response.json()) as { messageId: string };
    const cookies = await this.#options.transport.cookies(this.#base);
    const cookieHeader = Object.entries(cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const socket = openWebSocket(`${this.#base.replace(/^http/, 'ws')}/api/ws`, {
      headers: { cookie: cookieHeader },
      proxy: this.#options.proxy,
    });
    const frames = new FrameQueue();
    socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', messageId: started.messageId })));
    socket.on('message', (data) => frames.push(String(data)));
    socket.on('error', (error) =>
      frames.fail(new GatewayError('upstream', 'The site WebSocket failed.', { cause: error })),
    );
    // A refused upgrade (ban, challenge, ended session) says why in a JSON body, as the API does.
    socket.on('unexpected-response', (_request, upgrade) => {
      let body = '';
      upgrade.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      upgrade.on('end', () => {
        const status = upgrade.statusCode ?? 0;
        const retryAfter = upgrade.headers['retry-after'];
        frames.fail(
          status === 401
            ? new GatewayError('upstream', 'The site refused the WebSocket: the session ended.')
            : mapDemoError(status, body, typeof retryAfter === 'string' ? retryAfter : null, 'stream'),
        );
      });
    });
    socket.on('close', () => frames.close());
    const onAbort = () => {
      // The WebSocket only observes; stopping the generation is the site's stop endpoint.
      void this.#api(
        `/api/messages/${started.messageId}/stop`,
        { method: 'POST', json: {} },
        AbortSignal.timeout(5000),
      )
        .then((r) => r.text())
        .catch(() => undefined);
      socket.close();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for await (const raw of frames) {
        const frame = JSON.parse(raw) as { type: string; messageId?: string };
        if (frame.messageId && frame.messageId !== started.messageId) continue;
        const result = translateDemoFrame(frame.type, frame);
        if (result.event) yield result.event;
        if (result.done) {
          finished = true;
          break;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      socket.close();
    }
    if (signal.aborted) throw signal.reason;
    if (!finished)
      throw new GatewayError('upstream', 'The site closed the stream before the reply finished.');
  }

  async upload(file: UploadInput, signal: AbortSignal): Promise<SiteAttachment> {
    const form = new FormData();
    form.append(
      'file',
      new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.mediaType }),
      file.filename,
    );
    const response = await this.#api('/api/files', { method: 'POST', body: form }, signal);
    if (response.status !== 201 && response.status !== 200) throw await this.#errorFrom(response, 'upload');
    const body = DemoUploadBody.parse(await response.json());
    return { fileId: body.id, mediaType: body.mediaType, filename: file.filename };
  }

  async deleteThread(threadId: string, signal: AbortSignal): Promise<void> {
    const response = await this.#api(
      `/api/threads/${encodeURIComponent(threadId)}`,
      { method: 'DELETE' },
      signal,
    );
    await response.text();
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) {
      throw await this.#errorFrom(response, 'delete thread');
    }
  }

  async checkSession(signal: AbortSignal): Promise<SessionState> {
    const response = await this.#options.transport.fetch(`${this.#base}/api/session`, {
      headers: { accept: 'application/json' },
      signal,
    });
    const text = await response.text();
    if (response.status === 200) return { state: 'ok', user: this.#options.credentials.username };
    const error = parseDemoError(text);
    // A banned account is no session state: the keep-alive marks it disabled from this error.
    if (error?.code === 'account_banned')
      throw mapDemoError(response.status, text, null, 'check the session');
    if (response.status === 403) return { state: 'challenge', reason: 'the site shows a challenge page' };
    return { state: 'needs-login', reason: error?.code ?? `status ${response.status}` };
  }

  async close(): Promise<void> {
    await this.#options.transport.close();
  }

  async #errorFrom(response: TransportResponse, action: string, threadId?: string): Promise<GatewayError> {
    const text = await response.text().catch(() => '');
    return mapDemoError(response.status, text, response.headers.get('retry-after'), action, threadId);
  }
}

async function isCsrfError(response: TransportResponse): Promise<boolean> {
  // Peeking consumes the body; only 403s are peeked and a csrf 403 is retried, so nothing is lost.
  const code = response.headers.get('content-type')?.includes('json') ? 'json' : 'html';
  if (code !== 'json') return false;
  const clone = await response.text();
  const isCsrf = parseDemoError(clone)?.code === 'csrf';
  // Re-expose the text for the caller's error mapping.
  response.text = async () => clone;
  response.json = async () => JSON.parse(clone);
  return isCsrf;
}

function toDemoToolChoice(turn: SiteTurn): unknown {
  const choice = turn.toolChoice;
  if (!choice || !turn.tools?.length) return undefined;
  if (choice.type === 'tool') return { name: choice.name };
  return choice.type;
}

/** Bridges WebSocket callbacks to an async iterator. */
class FrameQueue implements AsyncIterable<string> {
  readonly #items: string[] = [];
  #waiting: (() => void) | undefined;
  #closed = false;
  #error: unknown;

  push(item: string): void {
    this.#items.push(item);
    this.#wake();
  }
  close(): void {
    this.#closed = true;
    this.#wake();
  }
  fail(error: unknown): void {
    // The first failure is the cause; closing a refused socket reports another one after it.
    this.#error ??= error;
    this.#closed = true;
    this.#wake();
  }
  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift()!;
        continue;
      }
      if (this.#error) throw this.#error;
      if (this.#closed) return;
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
    }
  }
}
