import { type DemoSite, type DemoSiteOptions, startDemoSite } from '../index.ts';

/** A site tuned for tests: control routes on, no pacing, quiet logs. */
export function startTestSite(options: Partial<DemoSiteOptions> = {}): Promise<DemoSite> {
  return startDemoSite({ control: true, wordDelayMs: 0, slowWordDelayMs: 2, logLevel: 'silent', ...options });
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export function parseSseBlock(block: string): SseEvent {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  return { event, data: data.length > 0 ? (JSON.parse(data.join('\n')) as Record<string, unknown>) : {} };
}

/** Reads an SSE response to its end (or until `onEvent` returns false). */
export async function readSse(
  res: Response,
  onEvent?: (event: SseEvent) => boolean | undefined,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  if (!res.body) return events;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
      const event = parseSseBlock(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      events.push(event);
      if (onEvent?.(event) === false) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}

export interface MetaFrame {
  threadId: string;
  messageId: string;
  turn: number;
}

/** The `meta` event that opens every stream. */
export function metaOf(events: readonly SseEvent[]): MetaFrame {
  const meta = events.find((e) => e.event === 'meta');
  if (!meta) throw new Error('no meta event in the stream');
  return meta.data as unknown as MetaFrame;
}

export function textOf(events: readonly SseEvent[], kind = 'text'): string {
  return events
    .filter((e) => e.event === kind)
    .map((e) => String(e.data.delta))
    .join('');
}

export interface ClientRequest {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  csrf?: boolean;
  signal?: AbortSignal;
}

/** A logged-in browser stand-in: keeps the session cookie and the page's CSRF token. */
export class SiteClient {
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(readonly site: DemoSite) {}

  static async login(site: DemoSite, username = 'demo', password = 'demo-password'): Promise<SiteClient> {
    const client = new SiteClient(site);
    const res = await client.login(username, password);
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    await client.loadCsrfToken();
    return client;
  }

  async login(username: string, password: string): Promise<Response> {
    const res = await fetch(`${this.site.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('demo_session='));
    if (cookie) this.cookie = cookie.split(';', 1)[0];
    return res;
  }

  /** Reads the token the way the page does: from `<meta name="csrf-token">` in the app HTML. */
  async loadCsrfToken(): Promise<string> {
    const res = await this.request('/', { csrf: false });
    const html = await res.text();
    const match = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
    if (!match?.[1]) throw new Error(`no csrf token in the page (status ${res.status})`);
    this.csrfToken = match[1];
    return match[1];
  }

  request(path: string, init: ClientRequest = {}): Promise<Response> {
    const method = init.method ?? (init.json !== undefined ? 'POST' : 'GET');
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if ((init.csrf ?? method !== 'GET') && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.site.url}${path}`, {
      method,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      redirect: 'manual',
      ...(init.signal ? { signal: init.signal } : {}),
    });
  }

  async json<T = Record<string, unknown>>(
    path: string,
    init: ClientRequest = {},
  ): Promise<{ status: number; body: T }> {
    const res = await this.request(path, init);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** POST /api/chat and read the whole stream. */
  async chat(
    body: Record<string, unknown>,
  ): Promise<{ status: number; events: SseEvent[]; error?: unknown }> {
    const res = await this.request('/api/chat', { json: body });
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
      return { status: res.status, events: [], error: await res.json() };
    }
    return { status: res.status, events: await readSse(res) };
  }

  async upload(data: Uint8Array, name: string, type: string): Promise<Response> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type }), name);
    return this.request('/api/files', { method: 'POST', body: form });
  }
}

export async function control<T = Record<string, unknown>>(
  site: DemoSite,
  path: string,
  json?: unknown,
): Promise<T> {
  const res = await fetch(`${site.url}/__control/${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    ...(json === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
