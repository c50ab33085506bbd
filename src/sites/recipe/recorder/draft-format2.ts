import type { ApiDraft, ReviewNote } from './draft-api.ts';
import type { UiDraft } from './draft-ui.ts';
import { leavesOf, toJsonPath, tryJson } from './json-leaves.ts';
import type { Recording } from './recording.ts';

type Json = Record<string, unknown>;

/**
 * The format-2 pieces a recording shows, added to the API and UI drafts (pure): a token fetched
 * before the login (→ `prelude`), a conversation array in the send body (→ `$each` over
 * `{{messages}}`), a `data:` URL in a message (→ `upload: inline`), and a thread id the page kept
 * in storage rather than in its URL (→ `ui.threadId.storage`).
 */
export function draftFormat2(recording: Recording, api: ApiDraft, ui: UiDraft): void {
  draftPrelude(recording, api);
  draftConversation(api);
  draftInlineFiles(recording, api);
  draftStorageThreadId(recording, api, ui);
}

const review = (notes: ReviewNote[], path: (string | number)[], note: string) => notes.push({ path, note });

function draftPrelude(recording: Recording, api: ApiDraft): void {
  const login = api.api.login as Json | undefined;
  const request = login?.request as Json | undefined;
  if (!request) return;
  const exchanges = recording.exchanges;
  const loginExchange = exchanges.find(
    (x) => x.method === request.method && new URL(x.url).pathname === String(request.url).split('?')[0],
  );
  if (!loginExchange) return;
  const sent = Object.entries(loginExchange.requestHeaders).filter(([, value]) => value.length >= 8);
  for (const earlier of exchanges.filter((x) => x.seq < loginExchange.seq && x.method === 'GET')) {
    for (const leaf of leavesOf(tryJson(earlier.responseBody))) {
      if (typeof leaf.value !== 'string' || leaf.value.length < 8) continue;
      const header = sent.find(([, value]) => value === leaf.value || value.endsWith(` ${leaf.value}`));
      if (!header) continue;
      const name = 'loginToken';
      const url = new URL(earlier.url);
      api.api.prelude = [
        {
          request: `GET ${url.origin === api.baseUrl ? `${url.pathname}${url.search}` : earlier.url}`,
          capture: { [name]: toJsonPath(leaf.path) },
        },
      ];
      const headers = { ...((request.headers as Json | undefined) ?? {}) };
      headers[header[0].toLowerCase()] = header[1].replace(leaf.value, `{{${name}}}`);
      request.headers = headers;
      api.findings.push(
        `The login sent a token fetched before it (GET ${url.pathname}): drafted as a prelude.`,
      );
      review(
        api.reviews,
        ['api', 'prelude'],
        'the login needed this token; check the cookie it sets is the session one',
      );
      return;
    }
  }
}

/** The first array of objects with a `role` in the body, and its path. */
function findConversation(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (Array.isArray(value)) {
    if (
      value.length > 0 &&
      value.every((item) => item !== null && typeof item === 'object' && 'role' in item)
    )
      return path;
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findConversation(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function draftConversation(api: ApiDraft): void {
  const request = (api.api.send as Json | undefined)?.request as Json | undefined;
  const body = request?.json;
  const path = findConversation(body);
  if (!path || path.length === 0) return;
  const holder = path.slice(0, -1).reduce<unknown>((at, key) => (at as Json)[key as string], body) as Json;
  const key = String(path.at(-1));
  const list = holder[key] as Json[];
  const sample = list.at(-1) ?? {};
  const item: Json = { role: '{{m.role}}' };
  for (const field of Object.keys(sample)) {
    if (field === 'role') continue;
    item[field] = Array.isArray(sample[field])
      ? {
          $each: '{{m.parts}}',
          $as: 'part',
          $item: {
            $if: '{{part.dataUrl}}',
            $then: { type: 'image_url', image_url: { url: '{{part.dataUrl}}' } },
            $else: { type: 'text', text: '{{part.text}}' },
          },
        }
      : '{{m.text}}';
  }
  holder[key] = { $each: '{{messages}}', $as: 'm', $item: item };
  api.findings.push('The message went as a conversation array: drafted as $each over {{messages}}.');
  review(
    api.reviews,
    ['api', 'send', 'request', 'json', ...path.map(String)],
    'a whole conversation per turn: if the site keeps no chats, set send.history: local',
  );
}

function draftInlineFiles(recording: Recording, api: ApiDraft): void {
  const path = api.hints.sendPath;
  const dataUrl = recording.exchanges.some(
    (x) =>
      x.method !== 'GET' &&
      new URL(x.url).pathname === path &&
      /"data:[\w.+-]+\/[\w.+-]+;base64,/.test(x.requestBody ?? ''),
  );
  if (!dataUrl || api.api.upload) return;
  api.api.upload = 'inline';
  api.findings.push('The image went inside the message as a data: URL: drafted as upload: inline.');
  review(
    api.reviews,
    ['api', 'upload'],
    'files ride in the message; place {{part.dataUrl}} (or {{files}}) in the body',
  );
}

function draftStorageThreadId(recording: Recording, api: ApiDraft, ui: UiDraft): void {
  const threadId = api.hints.threadId;
  if (!threadId || !ui.ui || recording.finalUrl.includes(threadId) || !recording.storage) return;
  for (const area of ['session', 'local'] as const) {
    for (const [key, value] of Object.entries(recording.storage[area])) {
      if (value !== threadId && !value.includes(`"${threadId}"`)) continue;
      const storage: Json = { area, key };
      if (value !== threadId) {
        const leaf = leavesOf(tryJson(value)).find((candidate) => candidate.value === threadId);
        if (leaf) storage.path = toJsonPath(leaf.path);
      }
      ui.ui.threadId = { storage };
      ui.findings.push(`The page kept the thread id in ${area}Storage '${key}', not in its URL.`);
      review(ui.reviews, ['ui', 'threadId'], 'check a new chat replaces (or clears) this key');
      return;
    }
  }
}
