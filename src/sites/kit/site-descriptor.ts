import type { z } from 'zod';
import type { Site } from '../../site-contract/site.ts';
import type { SiteFactoryDeps } from './site-factory-deps.ts';

/** Starts the demo chat site in-process; the composition root (CLI) injects it, tests may too. */
export type EmbedDemoSite = (options: {
  host: string;
  port: number;
}) => Promise<{ url: string; close(): Promise<void> }>;

/** What a descriptor's `create` gets from the gateway (or a test) besides its own config entry. */
export interface SiteCreateContext extends SiteFactoryDeps {
  /** The gateway's data dir (browser profiles, recipe state). */
  dataDir: string;
  /** Pages kept warm per browser account. */
  warmPages?: number;
  /** Absent where nothing may be started in-process: a demo site then needs a `baseUrl`. */
  embedDemoSite?: EmbedDemoSite;
  /** Runs when the sites close, after the site itself is closed. */
  onClose(close: () => Promise<void>): void;
  /** Records the URL of a site started in-process (shown in the banner). */
  embedded(url: string): void;
}

/**
 * One site kind as a plug-in: its config entry's schema (a member of the config's `sites` union,
 * told apart by `kind`), whether the kind can run in Chromium, whether a given entry does (such
 * accounts get the shared browser, session keep-alive with re-login, remote login, and the browser
 * default of account slots), and how to build the adapter.
 */
export interface SiteDescriptor<Schema extends z.ZodObject = z.ZodObject> {
  readonly kind: z.output<Schema> extends { kind: infer K } ? K : never;
  readonly configSchema: Schema;
  /** The kind accepts `transport: browser` (or drives pages in some other way). */
  readonly browserCapable: boolean;
  usesBrowser(config: z.output<Schema>): boolean;
  create(config: z.output<Schema>, context: SiteCreateContext): Promise<Site>;
}

/** Declares a descriptor with its config type inferred from the schema. */
export function defineSiteKind<Schema extends z.ZodObject>(
  descriptor: SiteDescriptor<Schema>,
): SiteDescriptor<Schema> {
  return descriptor;
}
