import type { BrowserAccount } from '../../transports/browser/browser-account.ts';

/**
 * The JWT a logged-in chat.qwen.ai page keeps in `localStorage.token` (the web client sends it as
 * Bearer; Qwen2API's README tells users to copy it from there), read from the account's page for
 * `transport: browser` when no password is configured.
 */
export function readQwenTokenInPage(
  account: Pick<BrowserAccount, 'acquirePage'>,
): (signal: AbortSignal) => Promise<string | undefined> {
  return async () => {
    const lease = await account.acquirePage();
    try {
      const token = await lease.page.evaluate(() => window.localStorage.getItem('token'));
      return token ?? undefined;
    } finally {
      lease.release();
    }
  };
}
