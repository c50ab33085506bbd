import type { ApiDraft, ReviewNote, YamlPath } from './draft-api.ts';
import type { RecordedDomEvent, Recording } from './recording.ts';

export interface UiDraft {
  ui?: Record<string, unknown>;
  reviews: ReviewNote[];
  findings: string[];
}

/**
 * Drafts a recipe's `ui` section from what the person did on the page: where they typed the
 * message, what they clicked to send it, the model they chose, the file input they used, and (from
 * the final page) the element that held the reply.
 */
export function draftUi(recording: Recording, api: ApiDraft['hints']): UiDraft {
  const draft: UiDraft = { reviews: [], findings: [] };
  const review = (path: YamlPath, note: string) => draft.reviews.push({ path: ['ui', ...path], note });
  const events = recording.events;
  const typed = lastIndex(events, (event) => event.kind === 'input' && event.value === recording.prompt);
  const input = events[typed]?.target.selectors[0];
  const reply = recording.page?.reply;
  if (!input || !reply) {
    draft.findings.push(
      `The UI part was not drafted: ${!input ? 'no typing of the message was seen' : 'the reply was not found on the page'}.`,
    );
    return draft;
  }
  const origin = new URL(recording.startUrl).origin;
  const path = (url: string) => {
    const parsed = new URL(url);
    return parsed.origin === origin ? `${parsed.pathname}${parsed.search}` : url;
  };
  const ui: Record<string, unknown> = { startUrl: path(recording.startUrl), loggedIn: input };

  // Login: what was typed and clicked on the page where the password was entered.
  const passwordAt = events.findIndex((event) => event.kind === 'input' && event.target.type === 'password');
  if (passwordAt !== -1) {
    const loginUrl = events[passwordAt]?.url;
    const onLoginPage = events.filter((event) => event.url === loginUrl);
    const steps: Record<string, unknown>[] = [];
    const filled = new Set<string>();
    for (const event of onLoginPage) {
      const selector = event.target.selectors[0] ?? event.target.tag;
      if (event.kind === 'input' && !filled.has(selector)) {
        filled.add(selector);
        const value =
          event.target.type === 'password'
            ? '{{password}}'
            : event.value === api.username
              ? '{{username}}'
              : event.value;
        steps.push({ fill: selector, value });
      }
    }
    const submit = [...onLoginPage]
      .reverse()
      .find((event) => event.kind === 'click' || event.kind === 'enter');
    if (submit?.kind === 'click') steps.push({ click: submit.target.selectors[0] });
    else if (submit) steps.push({ press: 'Enter', on: submit.target.selectors[0] });
    steps.push({ waitFor: input, timeoutMs: 15000 });
    ui.needsLogin = events[passwordAt]?.target.selectors[0];
    ui.login = steps;
    draft.findings.push(
      `UI login: ${steps.length - 1} steps on ${loginUrl ? path(loginUrl) : 'the login page'}.`,
    );
  }

  // A fresh chat: the start page, loaded anew (the reply recorded was in a new chat).
  ui.newChat = [{ goto: path(recording.startUrl) }, { reload: true }, { waitFor: input }];
  review(['newChat'], 'no "new chat" control was recorded: the start page is reloaded instead');

  const threadId = api.threadId;
  if (threadId && recording.finalUrl.includes(threadId)) {
    const at = recording.finalUrl.indexOf(threadId);
    const before = recording.finalUrl.slice(0, at);
    const marker = before.slice(-1);
    ui.threadId = { url: `${escapeRegex(marker)}([\\w-]+)` };
    const full = `${before}{{threadId}}${recording.finalUrl.slice(at + threadId.length)}`;
    const urlTemplate = full.startsWith(origin) ? full.slice(origin.length) : full;
    ui.openThread = [{ goto: urlTemplate }, { reload: true }, { waitFor: reply, timeoutMs: 15000 }];
    review(['openThread'], 'opens the thread by its address; check a thread that is gone fails here');
    draft.findings.push(`The page URL carries the thread id (${urlTemplate}).`);
  }

  const chose = [...events].reverse().find((event) => event.kind === 'change' && event.value === api.model);
  if (chose) ui.selectModel = [{ select: chose.target.selectors[0], value: '{{model}}' }];
  if (recording.page?.modelOption) {
    ui.listModels = {
      option: recording.page.modelOption.selector,
      ...(recording.page.modelOption.idAttribute
        ? { idAttribute: recording.page.modelOption.idAttribute }
        : {}),
    };
  }

  ui.input = input;
  const after = events.slice(typed + 1);
  const sent = after.find((event) => event.kind === 'click' || event.kind === 'enter');
  if (sent?.kind === 'click') ui.send = sent.target.selectors[0];

  const file = events.find((event) => event.kind === 'file');
  if (file) {
    ui.attach = { input: file.target.selectors[0] };
    review(['attach'], 'no upload-finished marker is known: add attach.ready if sending too early fails');
  }

  const remove = recording.page?.deleteThread;
  if (remove) {
    const entry = remove.holder;
    ui.deleteThread = [
      { click: `${entry} ${remove.control}`, timeoutMs: 3000 },
      { waitFor: entry, state: 'detached' },
    ];
    review(
      ['deleteThread'],
      'a delete control was found next to the thread in a list; deleting was not recorded',
    );
  }

  ui.reply = reply;
  ui.done = {
    ...(api.sendPath ? { request: api.sendPath } : {}),
    stableMs: 1000,
  };
  review(
    ['done'],
    'the end of a reply is guessed (request finished, text still for 1 s); a stop button that hides is more precise',
  );
  draft.findings.push(`UI: message typed into ${input}, reply read from ${reply}.`);
  draft.ui = ui;
  return draft;
}

function lastIndex(events: RecordedDomEvent[], test: (event: RecordedDomEvent) => boolean): number {
  for (let i = events.length - 1; i >= 0; i--) if (test(events[i] as RecordedDomEvent)) return i;
  return -1;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
