import { type Leaf, leavesOf, looksLikeId, samePath, toJsonPath, tryJson } from './json-leaves.ts';
import { formatOf, recordsOf } from './recorded-records.ts';
import type { RecordedExchange, Recording } from './recording.ts';
import { inferStream } from './infer-stream.ts';

// Longer than 400 lines because drafting reads one recording in several passes (login, token sources, models, send, stream, threads) that share the recording's indexes.

export type YamlPath = (string | number)[];

/** A guess the person must check, placed as a `# REVIEW:` comment at `path` in the draft. */
export interface ReviewNote {
  path: YamlPath;
  note: string;
}

export interface ApiDraft {
  baseUrl: string;
  api: Record<string, unknown>;
  /** A fixed model list, when no list request was seen. */
  models?: Array<{ id: string }>;
  reviews: ReviewNote[];
  /** What was found, for the person (printed by the command). */
  findings: string[];
  /** What the UI draft and the page analysis need. */
  hints: {
    replyText?: string;
    model?: string;
    threadId?: string;
    username?: string;
    sendPath?: string;
    uploadPath?: string;
  };
}

const PLAIN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'host',
  'origin',
  'pragma',
  'priority',
  'referer',
  'user-agent',
  'dnt',
  'te',
  'upgrade-insecure-requests',
]);

const NAME_FIELDS = ['name', 'displayName', 'display_name', 'title', 'label'];
const CAPABILITY_KEYS: Array<[RegExp, string]> = [
  [/^(vision|image|images|multimodal)$/i, 'vision'],
  [/^(files?|attachments?|upload)$/i, 'files'],
  [/^(tools|functions|function_calling|tool_use)$/i, 'nativeTools'],
  [/^(reasoning|thinking)$/i, 'reasoning'],
  [/^(system_?prompt|system)$/i, 'systemPrompt'],
];

/**
 * Drafts a recipe's `api` section from a recording: the request that carried the message (its
 * body turned into a template), the stream that carried the reply, the login, the tokens the
 * requests needed and where the page got them, the model list and the upload.
 */
export function draftApi(recording: Recording): ApiDraft {
  const { prompt, replyWord } = recording;
  const baseUrl = new URL(recording.startUrl).origin;
  const relative = (url: string) => {
    const parsed = new URL(url);
    return parsed.origin === baseUrl ? `${parsed.pathname}${parsed.search}` : url;
  };
  const draft: ApiDraft = { baseUrl, api: {}, reviews: [], findings: [], hints: {} };
  const review = (path: YamlPath, note: string) => draft.reviews.push({ path, note });
  const exchanges = recording.exchanges;

  // The message: the first request whose body holds the prompt.
  const send = exchanges.find((x) => x.method !== 'GET' && bodyText(x).includes(prompt));
  if (!send) {
    draft.findings.push('No HTTP request carried the message; the API part could not be drafted.');
    return draft;
  }
  const sendBody = tryJson(send.requestBody);
  draft.hints.sendPath = new URL(send.url).pathname;
  draft.findings.push(`The message went in ${send.method} ${relative(send.url)}.`);
  // The next request to the same address is the second message (the one with the image).
  const second = exchanges.find((x) => x.seq > send.seq && x.method === send.method && x.url === send.url);
  const secondBody = tryJson(second?.requestBody);

  // Login: a request with a password field.
  const loginExchange = exchanges.find(
    (x) => x.seq < send.seq && x.method !== 'GET' && passwordKey(x) !== undefined,
  );
  const login: Record<string, unknown> = {};
  if (loginExchange) {
    const template = loginTemplate(loginExchange);
    draft.hints.username = template.username;
    login.request = { method: loginExchange.method, url: relative(loginExchange.url), ...template.body };
    login.ok = [loginExchange.status ?? 200];
    draft.findings.push(`Login: ${loginExchange.method} ${relative(loginExchange.url)}.`);
  } else {
    draft.findings.push('No login request was seen (already logged in?): the recipe has no api.login.');
  }

  // Tokens sent as headers, and where the page found them.
  const headers: Record<string, string> = {};
  const scrape: Record<string, unknown> = {};
  const capture: Record<string, string> = {};
  for (const [name, value] of Object.entries(send.requestHeaders)) {
    const header = name.toLowerCase();
    if (PLAIN_HEADERS.has(header) || header.startsWith('sec-') || header.startsWith(':')) continue;
    const bearer = /^Bearer\s+(.+)$/i.exec(value);
    const token = bearer?.[1] ?? value;
    const variable = variableFor(header);
    const source = findSource(
      token,
      exchanges.filter((x) => x.seq < send.seq),
      loginExchange,
      relative,
    );
    const template = bearer ? `Bearer {{${variable}}}` : `{{${variable}}}`;
    if (source?.kind === 'capture') {
      capture[variable] = source.path;
      headers[header] = template;
    } else if (source?.kind === 'scrape') {
      scrape[variable] = source.scrape;
      headers[header] = template;
      review(
        ['api', 'login', 'scrape', variable],
        `the page held the ${header} value here; check it is read after every login`,
      );
    } else {
      headers[header] = value;
      review(
        ['api', 'headers', header],
        `constant value seen once; if it changes per session, scrape it in api.login.scrape`,
      );
    }
    draft.findings.push(`Header ${header}: ${source ? `from ${source.describe}` : 'a constant'}.`);
  }
  if (Object.keys(headers).length > 0) draft.api.headers = headers;
  if (loginExchange || Object.keys(scrape).length > 0) {
    if (Object.keys(capture).length > 0) login.capture = capture;
    if (Object.keys(scrape).length > 0) login.scrape = scrape;
    draft.api.login = login;
  }

  // Models: a list whose entries hold the model id the message named.
  const sendLeaves = leavesOf(sendBody);
  const models = findModelList(
    exchanges.filter((x) => x.seq < send.seq),
    sendLeaves,
  );
  let modelLeaf: Leaf | undefined;
  if (models) {
    modelLeaf = models.leaf;
    draft.hints.model = String(models.leaf.value);
    draft.api.models = {
      request: relative(models.exchange.url),
      list: models.list,
      id: models.id,
      ...(models.name ? { name: models.name } : {}),
      ...(Object.keys(models.capabilities).length > 0 ? { capabilities: models.capabilities } : {}),
    };
    if (Object.keys(models.capabilities).length > 0)
      review(['api', 'models', 'capabilities'], 'capability fields guessed from their names');
    draft.findings.push(
      `Models: ${relative(models.exchange.url)} (${models.count} listed; the message used ${models.leaf.value}).`,
    );
  } else {
    modelLeaf = sendLeaves.find(
      (leaf) => /model/i.test(String(leaf.path.at(-1))) && typeof leaf.value === 'string',
    );
    if (modelLeaf) {
      draft.hints.model = String(modelLeaf.value);
      draft.models = [{ id: String(modelLeaf.value) }];
      review(['models'], 'no model list was seen: only the model used while recording is listed');
    }
  }

  // The reply: the send response's stream (or the socket that carried it).
  const streamed = send.responseBody?.includes(replyWord) ? send : undefined;
  const stream: Record<string, unknown> = {};
  let threadSelector: Record<string, unknown> | undefined;
  let inferred: ReturnType<typeof inferStream>;
  if (streamed?.responseBody) {
    const format = formatOf(streamed);
    inferred = inferStream(recordsOf(streamed.responseBody, format), replyWord);
    stream.format = format;
    draft.findings.push(`The reply streamed in the response as ${format}.`);
  } else {
    draft.findings.push(
      'The reply did not come in the send response (a WebSocket or a second request): draft the stream by hand.',
    );
  }
  if (inferred) {
    draft.hints.replyText = inferred.replyText;
    stream.text = selector(inferred.text);
    if (inferred.thinking) {
      stream.thinking = selector(inferred.thinking);
      review(['api', 'send', 'stream', 'thinking'], 'text before the reply; check it is the reasoning');
    }
    if (inferred.finish) {
      stream.finish = {
        ...(inferred.finish.when ? { when: inferred.finish.when } : {}),
        ...(inferred.finish.reason ? { reason: inferred.finish.reason } : {}),
      };
    } else {
      stream.finishOnEnd = true;
      review(
        ['api', 'send', 'stream', 'finishOnEnd'],
        'no end record recognised: the end of the body counts as the end',
      );
    }
    if (inferred.endMarker) stream.endMarker = inferred.endMarker;
  }

  // The thread: an id from the first stream that the second message sent back.
  const template = structuredClone(sendBody) as unknown;
  const placeholders: Array<[YamlPath, string]> = [];
  const promptLeaf = sendLeaves.find((leaf) => leaf.value === prompt);
  if (promptLeaf) placeholders.push([promptLeaf.path, '{{text}}']);
  if (modelLeaf) placeholders.push([modelLeaf.path, '{{model}}']);
  const secondLeaves = leavesOf(secondBody);
  const extra: Array<[YamlPath, unknown]> = [];
  for (const leaf of secondLeaves) {
    const id = inferred?.ids.find((candidate) => candidate.value === leaf.value);
    if (id && !threadSelector) {
      threadSelector = selector(id.selector);
      draft.hints.threadId = id.value;
      extra.push([leaf.path, '{{threadId}}']);
      draft.findings.push(
        `The thread id came in the stream at ${id.selector.path} and went back as ${toJsonPath(leaf.path)}.`,
      );
    }
  }
  // Attachments: the id the upload answered, sent back with the second message.
  const upload = exchanges.find((x) => x.multipart?.some((part) => part.filename !== undefined));
  const uploadAnswer = tryJson(upload?.responseBody);
  let fileIdPath: string | undefined;
  if (upload) {
    draft.hints.uploadPath = new URL(upload.url).pathname;
    const answerLeaves = leavesOf(uploadAnswer).filter((leaf) => looksLikeId(leaf.value));
    for (const leaf of secondLeaves) {
      const match = answerLeaves.find((answer) => answer.value === leaf.value);
      if (!match) continue;
      fileIdPath = toJsonPath(match.path);
      const last = leaf.path.at(-1);
      extra.push([typeof last === 'number' ? leaf.path.slice(0, -1) : leaf.path, '{{fileIds}}']);
      break;
    }
    const filePart = upload.multipart?.find((part) => part.filename !== undefined);
    const multipart: Record<string, string> = {};
    for (const part of upload.multipart ?? [])
      multipart[part.name] = part === filePart ? '{{file}}' : (part.value ?? '');
    draft.api.upload = {
      request: { method: upload.method, url: relative(upload.url), multipart },
      ok: [upload.status ?? 200],
      fileId: fileIdPath ?? '$.id',
    };
    if (!fileIdPath)
      review(['api', 'upload', 'fileId'], 'the file id was not seen in a later message; $.id is a guess');
    draft.findings.push(
      `Upload: ${upload.method} ${relative(upload.url)}${fileIdPath ? `, file id at ${fileIdPath}` : ''}.`,
    );
  }
  // Fields only the second message had (thread, files) join the template.
  let body: unknown = template;
  for (const [path, value] of extra) body = setAt(body, path, value);
  for (const [path, value] of placeholders) body = setAt(body, path, value);
  for (const leaf of secondLeaves) {
    if (extra.some(([path]) => isPrefix(path, leaf.path))) continue;
    if (leavesOf(sendBody).some((first) => samePath(first.path, leaf.path))) continue;
    body = setAt(body, leaf.path, leaf.value);
    review(
      ['api', 'send', 'request', 'json', ...leaf.path.filter((s) => typeof s === 'string')],
      'only the second message sent this; constant or per-turn?',
    );
  }
  if (!threadSelector) {
    const guess = inferred?.ids.find((id) => /thread|conversation|chat/i.test(id.key));
    if (guess) {
      threadSelector = selector(guess.selector);
      draft.hints.threadId = guess.value;
      review(
        ['api', 'send', 'stream', 'threadId'],
        'guessed from the field name; the second message did not confirm it',
      );
    }
  }
  if (threadSelector) stream.threadId = threadSelector;
  review(
    ['api', 'send', 'request', 'json'],
    'if the site has a system prompt field, add it as {{systemPrompt}}',
  );

  const sendSection: Record<string, unknown> = {
    request: {
      method: send.method,
      url: relative(send.url),
      ...(/event-stream/i.test(send.requestHeaders.accept ?? '')
        ? { headers: { accept: 'text/event-stream' } }
        : {}),
      ...(sendBody !== undefined ? { json: body } : { body: send.requestBody ?? '' }),
    },
    ok: [send.status ?? 200],
    stream,
  };
  if (sendBody === undefined)
    review(['api', 'send', 'request', 'body'], 'the body is not JSON: put {{text}} and {{model}} in by hand');
  if (!inferred) review(['api', 'send', 'stream'], 'fill in the stream selectors');
  review(
    ['api', 'send', 'stream'],
    'no error was seen: add an error selector if the site reports errors in the stream',
  );
  draft.api.send = sendSection;

  // Deleting a thread: a list that holds the thread id suggests its address.
  const threadId = draft.hints.threadId;
  const list = threadId
    ? exchanges.find(
        (x) =>
          x.method === 'GET' && leavesOf(tryJson(x.responseBody)).some((leaf) => leaf.value === threadId),
      )
    : undefined;
  if (list) {
    const path = new URL(list.url).pathname.replace(/\/$/, '');
    draft.api.deleteThread = { request: `DELETE ${path}/{{threadId}}`, ok: [200, 204, 404] };
    review(['api', 'deleteThread'], `guessed from the thread list at ${path}; deleting was not recorded`);
  }
  return draft;
}

function selector(value: { when?: unknown; path: string; mode?: string }): Record<string, unknown> {
  return {
    ...(value.when ? { when: value.when } : {}),
    path: value.path,
    ...(value.mode ? { mode: value.mode } : {}),
  };
}

function bodyText(exchange: RecordedExchange): string {
  if (exchange.requestBody !== undefined) {
    const json = tryJson(exchange.requestBody);
    // Compare decoded strings, so escapes in JSON do not hide the prompt.
    if (json !== undefined)
      return leavesOf(json)
        .map((leaf) => String(leaf.value))
        .join('\n');
    return decodeForm(exchange.requestBody);
  }
  return (exchange.multipart ?? []).map((part) => part.value ?? '').join('\n');
}

function decodeForm(body: string): string {
  try {
    return [...new URLSearchParams(body).values()].join('\n');
  } catch {
    return body;
  }
}

function passwordKey(exchange: RecordedExchange): string | undefined {
  const json = tryJson(exchange.requestBody);
  const keys =
    json !== undefined && json !== null && typeof json === 'object'
      ? Object.keys(json)
      : exchange.requestBody
        ? [...new URLSearchParams(exchange.requestBody).keys()]
        : [];
  return keys.find((key) => /pass(word)?|passwd/i.test(key));
}

function loginTemplate(exchange: RecordedExchange): { body: Record<string, unknown>; username?: string } {
  const json = tryJson(exchange.requestBody);
  const isJson = json !== undefined && json !== null && typeof json === 'object';
  const fields: Record<string, unknown> = isJson
    ? { ...(json as Record<string, unknown>) }
    : Object.fromEntries(new URLSearchParams(exchange.requestBody ?? ''));
  let username: string | undefined;
  for (const key of Object.keys(fields)) {
    if (/pass(word)?|passwd/i.test(key)) fields[key] = '{{password}}';
    else if (/user|email|login|account/i.test(key)) {
      if (typeof fields[key] === 'string') username = fields[key] as string;
      fields[key] = '{{username}}';
    }
  }
  return { body: isJson ? { json: fields } : { form: fields }, ...(username ? { username } : {}) };
}

function variableFor(header: string): string {
  if (/csrf|xsrf/i.test(header)) return 'csrf';
  if (header === 'authorization') return 'token';
  return header
    .replace(/^x-/, '')
    .replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase())
    .replace(/[^A-Za-z0-9_]/g, '');
}

type Source =
  | { kind: 'capture'; path: string; describe: string }
  | { kind: 'scrape'; scrape: Record<string, unknown>; describe: string };

/** Where an earlier response held a token: the login answer, a page's meta tag or text, JSON, a cookie. */
function findSource(
  value: string,
  earlier: RecordedExchange[],
  login: RecordedExchange | undefined,
  relative: (url: string) => string,
): Source | undefined {
  if (value.length < 6) return undefined;
  const loginLeaf = leavesOf(tryJson(login?.responseBody)).find((leaf) => leaf.value === value);
  if (loginLeaf) return { kind: 'capture', path: toJsonPath(loginLeaf.path), describe: 'the login answer' };
  for (const exchange of [...earlier].reverse()) {
    const body = exchange.responseBody ?? '';
    if (body.includes(value)) {
      const meta = new RegExp(
        `<meta[^>]*name=["']([^"']+)["'][^>]*content=["']${escapeRegex(value)}["']`,
        'i',
      ).exec(body);
      const url = relative(exchange.url);
      if (meta?.[1])
        return {
          kind: 'scrape',
          scrape: { url, meta: meta[1] },
          describe: `<meta name="${meta[1]}"> on ${url}`,
        };
      const leaf = leavesOf(tryJson(body)).find((item) => item.value === value);
      if (leaf)
        return {
          kind: 'scrape',
          scrape: { url, path: toJsonPath(leaf.path) },
          describe: `${toJsonPath(leaf.path)} of ${url}`,
        };
      const at = body.indexOf(value);
      const before = body.slice(Math.max(0, at - 20), at).replace(/^[^\n]*\n/, '');
      return {
        kind: 'scrape',
        scrape: { url, regex: `${escapeRegex(before)}([^"'<>\\s]+)` },
        describe: `the text of ${url}`,
      };
    }
    for (const [name, header] of Object.entries(exchange.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'set-cookie') continue;
      const cookie = header
        .split('\n')
        .map((line) => /^([^=]+)=([^;]*)/.exec(line))
        .find((m) => m?.[2] === value);
      if (cookie?.[1])
        return { kind: 'scrape', scrape: { cookie: cookie[1] }, describe: `the cookie ${cookie[1]}` };
    }
  }
  return undefined;
}

function findModelList(
  exchanges: RecordedExchange[],
  sendLeaves: Leaf[],
):
  | {
      exchange: RecordedExchange;
      list: string;
      id: string;
      name?: string;
      capabilities: Record<string, string>;
      leaf: Leaf;
      count: number;
    }
  | undefined {
  const values = new Map(
    sendLeaves.filter((leaf) => typeof leaf.value === 'string').map((leaf) => [leaf.value, leaf]),
  );
  for (const exchange of exchanges) {
    if (exchange.method !== 'GET') continue;
    const json = tryJson(exchange.responseBody);
    for (const { path, items } of arraysOfObjects(json)) {
      for (const field of Object.keys(items[0] ?? {})) {
        const hit = items.find((item) => values.has(item[field] as string));
        if (!hit) continue;
        const leaf = values.get(hit[field] as string);
        if (!leaf) continue;
        const name = NAME_FIELDS.find(
          (candidate) => typeof hit[candidate] === 'string' && candidate !== field,
        );
        const capabilities: Record<string, string> = {};
        for (const capability of leavesOf(hit)) {
          const key = String(capability.path.at(-1));
          const match = CAPABILITY_KEYS.find(([pattern]) => pattern.test(key));
          if (match && typeof capability.value === 'boolean')
            capabilities[match[1]] ??= toJsonPath(capability.path);
          if (
            /max.*(input|context|chars|tokens)|context.*(length|window)/i.test(key) &&
            typeof capability.value === 'number'
          )
            capabilities.maxInputChars ??= toJsonPath(capability.path);
        }
        return {
          exchange,
          list: `${toJsonPath(path)}[*]`,
          id: toJsonPath([field]),
          ...(name ? { name: toJsonPath([name]) } : {}),
          capabilities,
          leaf,
          count: items.length,
        };
      }
    }
  }
  return undefined;
}

function arraysOfObjects(
  value: unknown,
  path: YamlPath = [],
): Array<{ path: YamlPath; items: Record<string, unknown>[] }> {
  const out: Array<{ path: YamlPath; items: Record<string, unknown>[] }> = [];
  if (Array.isArray(value)) {
    if (
      value.length > 0 &&
      value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))
    )
      out.push({ path, items: value as Record<string, unknown>[] });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push(...arraysOfObjects(item, [...path, key]));
  }
  return out;
}

function setAt(target: unknown, path: YamlPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> | unknown[] =
    target !== null && typeof target === 'object'
      ? (target as Record<string, unknown>)
      : typeof head === 'number'
        ? []
        : {};
  const current = (container as Record<string | number, unknown>)[head as string | number];
  (container as Record<string | number, unknown>)[head as string | number] = setAt(current, rest, value);
  return container;
}

function isPrefix(prefix: YamlPath, path: YamlPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
