import type { Recipe } from './recipe-schema.ts';

type NetworkPolicy = NonNullable<Recipe['network']>;

/** `*` is any run of characters; everything else is literal. Matched against the whole URL. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Whether a page of the site may load `url` under the recipe's `network` section: blocked patterns
 * never; with an allow list, only the site's own origin and the allowed patterns. Pure.
 */
export function networkAllows(policy: NetworkPolicy | undefined, url: string, baseUrl: string): boolean {
  if (!policy) return true;
  if (!/^(https?|wss?):/i.test(url)) return true; // data:, blob:, about: stay with the page
  if (policy.block.some((pattern) => globToRegExp(pattern).test(url))) return false;
  if (!policy.allow) return true;
  if (new URL(url).origin === new URL(baseUrl).origin) return true;
  return policy.allow.some((pattern) => globToRegExp(pattern).test(url));
}
