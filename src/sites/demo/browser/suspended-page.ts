import type { Page } from '../../../transports/browser/browser-library.ts';
import { AccountDisabledError } from '../../../site-contract/site-errors.ts';

/** The reason on the demo's "account suspended" page (demo-site/CONTRACT.md), or null on any other page. */
const SUSPENDED_REASON_SOURCE = `(() => {
  const page = document.querySelector('[data-testid="account-banned"]');
  if (!page) return null;
  const reason = page.querySelector('[data-testid="account-banned-reason"]');
  return (reason && reason.textContent.trim()) || 'the site shows its account suspended page';
})()`;

/** Throws AccountDisabledError when the page is the site's "account suspended" page (the account is banned). */
export async function throwIfSuspended(page: Page): Promise<void> {
  const reason = (await page.evaluate(SUSPENDED_REASON_SOURCE).catch(() => null)) as string | null;
  if (reason) throw new AccountDisabledError(reason);
}
