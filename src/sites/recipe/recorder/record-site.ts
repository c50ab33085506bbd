import type { BrowserManager } from '../../../transports/browser/browser-manager.ts';
import type { Page } from '../../../transports/browser/browser-library.ts';
import { CaptureSession } from './capture-session.ts';
import { draftApi } from './draft-api.ts';
import { draftFormat2 } from './draft-format2.ts';
import { draftUi } from './draft-ui.ts';
import type { Recording } from './recording.ts';
import { type RenderedDraft, renderDraft } from './render-draft.ts';

export const RECORD_PROMPT = 'Reply with the word PINEAPPLE';
export const RECORD_REPLY_WORD = 'PINEAPPLE';

export interface RecordSiteOptions {
  url: string;
  browser: BrowserManager;
  /** The browser account (profile) the recording uses; a fresh one records the login too. */
  accountId?: string;
  /**
   * The person's part: log in, send RECORD_PROMPT to one model, attach an image and send it.
   * Resolves when they are done (the command waits for Enter or the window closing).
   */
  person: (page: Page) => Promise<void>;
}

export interface RecordResult {
  recording: Recording;
  draft: RenderedDraft;
}

/** Opens the site, records what the person does, and drafts a recipe from it. */
export async function recordSite(options: RecordSiteOptions): Promise<RecordResult> {
  const account = options.browser.account(options.accountId ?? 'recorder', { homeUrl: options.url });
  const context = await account.context();
  const page = await context.newPage();
  try {
    // Capture starts before the first navigation, so the login is recorded too.
    const capture = await CaptureSession.start(page);
    await page.goto(options.url, { waitUntil: 'domcontentloaded' });
    await options.person(page);
    const recording = await capture.finish({
      prompt: RECORD_PROMPT,
      replyWord: RECORD_REPLY_WORD,
      startUrl: options.url,
      analyse: (partial) => {
        const hints = draftApi(partial).hints;
        return {
          ...(hints.replyText ? { replyText: hints.replyText } : {}),
          ...(hints.model ? { model: hints.model } : {}),
          ...(hints.threadId ? { threadId: hints.threadId } : {}),
        };
      },
    });
    return { recording, draft: draftFromRecording(recording) };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** The draft for a saved recording (pure: `--from-recording` and tests use it). */
export function draftFromRecording(recording: Recording, recordedAt = new Date()): RenderedDraft {
  const api = draftApi(recording);
  const ui = draftUi(recording, api.hints);
  draftFormat2(recording, api, ui);
  return renderDraft(api, ui, { url: recording.startUrl, recordedAt });
}
