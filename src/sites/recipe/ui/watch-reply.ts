import { GatewayError } from '../../../core/errors.ts';
import type { Page } from '../../../transports/browser/browser-library.ts';
import type { RecipeUi } from '../recipe-schema.ts';
import type { TemplateVars } from '../template.ts';
import { nextDelta } from './reply-text.ts';
import { readThreadId } from './read-thread-id.ts';
import { selectorOf } from './run-steps.ts';

/** How many replies, thinking sections and errors the page showed before the send. */
export interface PageCounts {
  replies: number;
  thinking: number;
  errors: number;
}

export type ReplyChange =
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  | { type: 'thread'; threadId: string };

export interface WatchReplyOptions {
  page: Page;
  ui: RecipeUi;
  vars: TemplateVars;
  before: PageCounts;
  /** Whether the reply's network request (`done.request`) has finished. */
  requestFinished: () => boolean;
  signal: AbortSignal;
}

/** Longest single wait inside the page for the reply to change. */
const MAX_WAIT_MS = 250;

/**
 * Follows the new reply on the page until the recipe's end conditions all hold: the text (and
 * thinking) as deltas, and the thread id once the URL shows it. Each read waits inside the page on a
 * MutationObserver for the next change (no fixed-interval polling), so deltas arrive as the page
 * renders them; a re-rendered reply (markdown) only ever adds what grew.
 */
export async function* watchReply(options: WatchReplyOptions): AsyncIterable<ReplyChange> {
  const { page, ui, vars, before, signal } = options;
  const done = ui.done;
  const deadline = Date.now() + done.timeoutMs;
  const replies = page.locator(selectorOf(ui.reply, vars));
  const thinking = ui.thinking ? page.locator(selectorOf(ui.thinking, vars)) : undefined;
  const errors = ui.error ? page.locator(selectorOf(ui.error, vars)) : undefined;
  const threadSource = ui.threadId;

  let threadSent = false;
  let lastChange = Date.now();

  const checkError = async () => {
    if (!errors || (await errors.count()) <= before.errors) return;
    const shown = (
      await errors
        .last()
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person sees is wanted
        .innerText()
        .catch(() => '')
    ).trim();
    throw new GatewayError(
      'upstream',
      `The site showed an error for the reply${shown ? `: ${shown.slice(0, 200)}` : '.'}`,
    );
  };
  const threadChange = async (): Promise<ReplyChange | undefined> => {
    if (threadSent || !threadSource) return undefined;
    const threadId = await readThreadId(page, threadSource, vars);
    if (!threadId) return undefined;
    threadSent = true;
    return { type: 'thread', threadId };
  };

  // The new reply element (the page may add it at once, or when the first token arrives).
  const reply = replies.nth(before.replies);
  while ((await replies.count()) <= before.replies) {
    signal.throwIfAborted();
    await checkError();
    if (Date.now() > deadline) throw new GatewayError('timeout', 'No reply appeared on the page.');
    await reply.waitFor({ state: 'attached', timeout: MAX_WAIT_MS }).catch(() => undefined);
  }

  // `shown`: the reply's text on screen now; `sent`: what was emitted (see reply-text.ts).
  let shown = '';
  let sent = '';
  let sentThought = '';
  let thought = '';
  for (;;) {
    signal.throwIfAborted();
    const wait = Math.min(MAX_WAIT_MS, done.stableMs ?? MAX_WAIT_MS);
    const current = await nextText(reply, shown, wait);
    const thread = await threadChange();
    if (thread) yield thread;
    if (thinking && (await thinking.count()) > before.thinking) {
      thought = await thinking
        .nth(before.thinking)
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person sees is wanted
        .innerText()
        .catch(() => thought);
      const { delta } = nextDelta(sentThought, thought, false);
      if (delta) {
        sentThought += delta;
        yield { type: 'reasoning', delta };
        lastChange = Date.now();
      }
    }
    if (current !== shown) {
      shown = current;
      lastChange = Date.now();
      const { delta } = nextDelta(sent, shown, false);
      if (delta) {
        sent += delta;
        yield { type: 'text', delta };
      }
    }
    await checkError();
    if (await finished(options, lastChange)) {
      // The page may have rendered its last chunk while the end conditions were checked.
      shown = await nextText(reply, shown, 0);
      break;
    }
    if (Date.now() > deadline)
      throw new GatewayError('timeout', `The reply did not finish within ${done.timeoutMs} ms.`);
  }
  // The reply is over: what was held back (an unclosed marker) goes out now.
  const finalThought = nextDelta(sentThought, thought, true).delta;
  if (finalThought) yield { type: 'reasoning', delta: finalThought };
  const finalText = nextDelta(sent, shown, true).delta;
  if (finalText) yield { type: 'text', delta: finalText };
  const thread = await threadChange();
  if (thread) yield thread;
}

/** The reply's text once it differs from `previous`, or after `waitMs` (waiting in the page). */
async function nextText(
  reply: ReturnType<Page['locator']>,
  previous: string,
  waitMs: number,
): Promise<string> {
  // No named functions inside: the test loader's keepNames helper (__name) does not exist in the page.
  const text = await reply
    .evaluate(
      (element, [prev, wait]) =>
        new Promise<string>((resolve) => {
          // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person sees is wanted
          const now = (element as HTMLElement).innerText ?? element.textContent ?? '';
          if (now !== prev) {
            resolve(now);
            return;
          }
          const observer = new MutationObserver(() => {
            // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person sees is wanted
            const changed = (element as HTMLElement).innerText ?? element.textContent ?? '';
            if (changed === prev) return;
            observer.disconnect();
            clearTimeout(timer);
            resolve(changed);
          });
          observer.observe(element, { subtree: true, childList: true, characterData: true });
          const timer = setTimeout(() => {
            observer.disconnect();
            // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person sees is wanted
            resolve((element as HTMLElement).innerText ?? element.textContent ?? '');
          }, wait as number);
        }),
      [previous, waitMs] as const,
      { timeout: waitMs + 5000 },
    )
    .catch(() => previous);
  return text.replace(/\s+$/, '');
}

async function finished(options: WatchReplyOptions, lastChange: number): Promise<boolean> {
  const { page, ui, vars } = options;
  const done = ui.done;
  if (done.request !== undefined && !options.requestFinished()) return false;
  if (done.stableMs !== undefined && Date.now() - lastChange < done.stableMs) return false;
  if (done.hidden && (await page.locator(selectorOf(done.hidden, vars)).last().isVisible())) return false;
  if (done.visible && !(await page.locator(selectorOf(done.visible, vars)).last().isVisible())) return false;
  return true;
}
