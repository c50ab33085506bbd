import type { Page } from '../../../transports/browser/browser-library.ts';
import { networkAllows } from '../network-policy.ts';
import type { Recipe } from '../recipe-schema.ts';

const routed = new WeakSet<Page>();

/**
 * Applies the recipe's `network` section to a page once (the gateway's pages and `check`'s alike):
 * requests it does not allow are aborted before they leave the browser. The recipe is read per
 * request, so a reloaded recipe's list applies at once.
 */
export async function applyNetworkPolicy(page: Page, recipe: () => Recipe, baseUrl: string): Promise<void> {
  if (routed.has(page) || !recipe().network) return;
  routed.add(page);
  await page.route('**/*', async (route) => {
    if (networkAllows(recipe().network, route.request().url(), baseUrl)) await route.fallback();
    else await route.abort('blockedbyclient');
  });
}
