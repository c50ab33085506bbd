import type { Page } from '../../../transports/browser/browser-library.ts';
import { analysePageExpression, READ_EVENTS_EXPRESSION, RECORD_EVENTS_SCRIPT } from './page-scripts.ts';
import type {
  MultipartPart,
  PageFindings,
  RecordedDomEvent,
  RecordedExchange,
  RecordedSocket,
  Recording,
} from './recording.ts';

const SKIPPED_TYPES = new Set(['image', 'font', 'stylesheet', 'media', 'script', 'manifest', 'texttrack']);
const MAX_BODY_CHARS = 2_000_000;

/** The automation library's request type, reached through the browser transport's Page. */
type PageRequest = Awaited<ReturnType<Page['waitForRequest']>>;

/**
 * Watches one page while a person uses the site: every API exchange with its bodies, WebSocket
 * frames, and (through an init script) what the person clicked, typed and chose.
 */
export class CaptureSession {
  readonly #page: Page;
  readonly #exchanges = new Map<unknown, RecordedExchange>();
  readonly #pending = new Set<Promise<void>>();
  readonly #sockets: RecordedSocket[] = [];
  #seq = 0;
  #events: RecordedDomEvent[] = [];
  /** Events are also read every second, so a window closed at the end loses nothing. */
  readonly #poll: NodeJS.Timeout;

  private constructor(page: Page) {
    this.#page = page;
    page.on('request', (request) => this.#track(this.#onRequest(request)));
    page.on('requestfinished', (request) => this.#track(this.#onFinished(request)));
    page.on('websocket', (socket) => {
      const recorded: RecordedSocket = { url: socket.url(), frames: [] };
      this.#sockets.push(recorded);
      socket.on('framesent', (frame) => {
        if (typeof frame.payload === 'string')
          recorded.frames.push({ direction: 'sent', data: frame.payload });
      });
      socket.on('framereceived', (frame) => {
        if (typeof frame.payload === 'string')
          recorded.frames.push({ direction: 'received', data: frame.payload });
      });
    });
    // Events are kept in the tab's sessionStorage; read them before each navigation can lose them.
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) this.#track(this.#collectEvents());
    });
    this.#poll = setInterval(() => this.#track(this.#collectEvents()), 1000);
    this.#poll.unref();
  }

  static async start(page: Page): Promise<CaptureSession> {
    const session = new CaptureSession(page);
    await page.context().addInitScript({ content: RECORD_EVENTS_SCRIPT });
    await page.evaluate(RECORD_EVENTS_SCRIPT).catch(() => undefined);
    return session;
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  async #onRequest(request: PageRequest): Promise<void> {
    if (SKIPPED_TYPES.has(request.resourceType())) return;
    const exchange: RecordedExchange = {
      seq: this.#seq++,
      url: request.url(),
      method: request.method(),
      resourceType: request.resourceType(),
      requestHeaders: {},
    };
    this.#exchanges.set(request, exchange);
    exchange.requestHeaders = await request.allHeaders();
    const body = request.postDataBuffer();
    if (!body) return;
    const contentType = exchange.requestHeaders['content-type'] ?? '';
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    if (contentType.startsWith('multipart/') && boundary) {
      exchange.multipart = parseMultipart(body, boundary[1] ?? boundary[2] ?? '');
    } else {
      exchange.requestBody = withoutSecrets(body.toString('utf8').slice(0, MAX_BODY_CHARS));
    }
  }

  async #onFinished(request: PageRequest): Promise<void> {
    const exchange = this.#exchanges.get(request);
    if (!exchange) return;
    const response = await request.response();
    if (!response) return;
    exchange.status = response.status();
    exchange.responseHeaders = await response.allHeaders();
    const type = exchange.responseHeaders['content-type'] ?? '';
    if (/json|event-stream|text|ndjson|xml|javascript/i.test(type) || type === '') {
      const body = await response.body().catch(() => undefined);
      if (body) exchange.responseBody = body.toString('utf8').slice(0, MAX_BODY_CHARS);
    }
  }

  async #collectEvents(): Promise<void> {
    if (this.#page.isClosed()) return;
    const events = (await this.#page.evaluate(READ_EVENTS_EXPRESSION).catch(() => [])) as RecordedDomEvent[];
    // The tab's list only grows (same-origin navigations keep it); keep the longest seen.
    if (Array.isArray(events) && events.length >= this.#events.length) this.#events = events;
  }

  /** Everything recorded so far, with the page's selectors worked out from the reply seen. */
  async finish(options: {
    prompt: string;
    replyWord: string;
    startUrl: string;
    analyse?: (partial: Recording) => { replyText?: string; model?: string; threadId?: string };
  }): Promise<Recording> {
    clearInterval(this.#poll);
    if (!this.#page.isClosed()) await this.#collectEvents();
    await Promise.all([...this.#pending]);
    const recording: Recording = {
      startUrl: options.startUrl,
      finalUrl: this.#page.url(),
      prompt: options.prompt,
      replyWord: options.replyWord,
      exchanges: [...this.#exchanges.values()].sort((a, b) => a.seq - b.seq),
      sockets: this.#sockets,
      events: this.#events,
    };
    const storage = this.#page.isClosed()
      ? undefined
      : await this.#page
          .evaluate(() => ({
            local: Object.fromEntries(Object.entries(localStorage)),
            session: Object.fromEntries(Object.entries(sessionStorage)),
          }))
          .catch(() => undefined);
    if (storage) recording.storage = storage;
    const hints = options.analyse?.(recording) ?? {};
    const page = (await this.#page
      .evaluate(
        analysePageExpression({
          prompt: options.prompt,
          replyText: hints.replyText ?? options.replyWord,
          ...(hints.model ? { model: hints.model } : {}),
          ...(hints.threadId ? { threadId: hints.threadId } : {}),
        }),
      )
      .catch(() => undefined)) as PageFindings | undefined;
    return page ? { ...recording, page } : recording;
  }
}

const SECRET_KEY = /pass(word)?|passwd|secret|otp|totp/i;

/** A request body with password-like fields blanked: a recording never holds a secret. */
export function withoutSecrets(body: string): string {
  try {
    const json: unknown = JSON.parse(body);
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const copy: Record<string, unknown> = { ...(json as Record<string, unknown>) };
      for (const key of Object.keys(copy)) if (SECRET_KEY.test(key)) copy[key] = '***';
      return JSON.stringify(copy);
    }
    return body;
  } catch {
    if (!/=/.test(body) || /\s/.test(body.trim())) return body;
    const form = new URLSearchParams(body);
    for (const key of [...form.keys()]) if (SECRET_KEY.test(key)) form.set(key, '***');
    return form.toString();
  }
}

/** The parts of a multipart body: names, file names and types, and the small text values. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const text = body.toString('latin1');
  const parts: MultipartPart[] = [];
  for (const chunk of text.split(`--${boundary}`)) {
    const split = chunk.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = chunk.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    const part: MultipartPart = { name };
    if (filename !== undefined) part.filename = filename;
    if (contentType) part.contentType = contentType;
    if (filename === undefined) {
      const value = chunk.slice(split + 4).replace(/\r\n$/, '');
      if (value.length <= 10_000) part.value = Buffer.from(value, 'latin1').toString('utf8');
    }
    parts.push(part);
  }
  return parts;
}
