import type { Page } from '../../../transports/browser/browser-library.ts';

export interface RequestTracker {
  /** True once a matching request started after tracking began, and the last such one ended. */
  finished(): boolean;
  dispose(): void;
}

/**
 * Watches the page's requests whose URL contains `fragment` (the reply's stream): the reply is not
 * over while one of them is still running.
 */
export function trackRequest(page: Page, fragment: string | undefined): RequestTracker {
  if (fragment === undefined) return { finished: () => true, dispose: () => undefined };
  const running = new Set<unknown>();
  let seen = false;
  const onRequest = (request: { url(): string }) => {
    if (!request.url().includes(fragment)) return;
    seen = true;
    running.add(request);
  };
  const onEnd = (request: unknown) => {
    running.delete(request);
  };
  page.on('request', onRequest);
  page.on('requestfinished', onEnd);
  page.on('requestfailed', onEnd);
  return {
    finished: () => seen && running.size === 0,
    dispose: () => {
      page.off('request', onRequest);
      page.off('requestfinished', onEnd);
      page.off('requestfailed', onEnd);
    },
  };
}
