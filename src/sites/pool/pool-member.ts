import type { Site, SiteAttachment } from '../../site-contract/site.ts';
import type { KeepAlive } from '../accounts/session-keep-alive.ts';
import type { PoolAccountConfig } from './pool-config.ts';

/** Where an account came from: the config file, or the admin API (kept in the store). */
export type AccountOrigin = 'config' | 'runtime';

/** One site account of a pool: its own adapter (own session, own browser context, own proxy). */
export interface PoolMember {
  readonly id: string;
  config: PoolAccountConfig;
  readonly origin: AccountOrigin;
  readonly site: Site;
  /** Generations running on the account now. */
  inFlight: number;
  /** Free slots when nothing runs; Infinity = unbounded. */
  readonly slots: number;
  /** The site's model ids this account lists (undefined until first listed). */
  models: Set<string> | undefined;
  /** When the account's recent turns started (its pace reads them), oldest first. */
  readonly starts: number[];
  /** Pool file handle → the file as uploaded to this account. */
  readonly uploads: Map<string, SiteAttachment>;
  keepAlive: KeepAlive | undefined;
  /** The browser account's id when the account runs in Chromium (remote login addresses it). */
  readonly browserAccountId: string | undefined;
  /** Removed from the pool: finishes what runs, then closes. */
  removed: boolean;
  /** Closes the account's adapter and what it started. */
  close(): Promise<void>;
}

/** Whether the member may serve the model by its config and its listing (health aside). */
export function memberOffers(member: PoolMember, model: string): boolean {
  if (member.removed || !member.config.enabled) return false;
  if (member.config.models && !member.config.models.includes(model)) return false;
  return member.models === undefined || member.models.has(model);
}

/** `<account>~<site thread>`: a pooled thread names the account that holds it. */
export function poolThreadId(accountId: string, threadId: string): string {
  return `${accountId}~${threadId}`;
}

export function parsePoolThreadId(value: string): { accountId: string; threadId: string } | undefined {
  const at = value.indexOf('~');
  if (at <= 0) return undefined;
  return { accountId: value.slice(0, at), threadId: value.slice(at + 1) };
}
