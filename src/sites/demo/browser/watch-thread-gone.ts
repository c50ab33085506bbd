import type { Page, Response } from '../../../transports/browser/browser-library.ts';
import { parseDemoError } from '../map-demo-error.ts';

export interface ThreadGoneWatch {
  /** Resolves once the page's own request for the thread was answered `404 thread_not_found`. */
  readonly gone: Promise<void>;
  stop(): void;
}

/**
 * Watches the page load a thread (the app's `GET /api/threads/:id`, made when a thread is opened
 * from the sidebar or the address). When the site no longer has it, the demo UI quietly shows a
 * new chat instead, so the address never reaches the thread: the site's answer says why at once.
 * Started before the click or navigation that opens the thread.
 */
export function watchThreadGone(page: Page, threadId: string): ThreadGoneWatch {
  const path = `/api/threads/${encodeURIComponent(threadId)}`;
  let onResponse: (response: Response) => void = () => undefined;
  const gone = new Promise<void>((resolve) => {
    onResponse = (response) => {
      if (response.status() !== 404 || response.request().method() !== 'GET') return;
      if (new URL(response.url()).pathname !== path) return;
      void response.text().then(
        (body) => {
          if (parseDemoError(body)?.code === 'thread_not_found') resolve();
        },
        () => undefined,
      );
    };
  });
  page.on('response', onResponse);
  return { gone, stop: () => page.off('response', onResponse) };
}
