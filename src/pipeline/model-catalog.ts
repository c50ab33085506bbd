import { GatewayError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Site, SiteModel } from '../site-contract/site.ts';

export interface ResolvedModel {
  site: Site;
  model: SiteModel;
  /** `site/model`, the canonical public name. */
  publicName: string;
}

export interface CatalogEntry extends ResolvedModel {
  aliases: string[];
}

const LOAD_TIMEOUT_MS = 60_000;

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Every model the configured sites offer, named `site/model`, plus configured aliases. Bare site
 * model ids resolve too when only one site offers them. Model lists are cached for `ttlMs`.
 */
export class ModelCatalog {
  readonly #sites: Site[];
  readonly #aliases: Record<string, string>;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  #cache: { at: number; entries: CatalogEntry[] } | undefined;
  #loading: Promise<CatalogEntry[]> | undefined;

  constructor(sites: Site[], aliases: Record<string, string>, logger: Logger, ttlMs = 60_000) {
    this.#sites = sites;
    this.#aliases = aliases;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
  }

  get sites(): readonly Site[] {
    return this.#sites;
  }

  async list(signal?: AbortSignal): Promise<CatalogEntry[]> {
    if (this.#cache && Date.now() - this.#cache.at < this.#ttlMs) return this.#cache.entries;
    // The load is shared, so no one caller's signal may cancel it: it has its own time limit, and
    // each caller stops waiting on its own abort.
    this.#loading ??= this.#load(AbortSignal.timeout(LOAD_TIMEOUT_MS)).finally(() => {
      this.#loading = undefined;
    });
    return untilAborted(this.#loading, signal);
  }

  async #load(signal?: AbortSignal): Promise<CatalogEntry[]> {
    const entries: CatalogEntry[] = [];
    const failures: unknown[] = [];
    await Promise.all(
      this.#sites.map(async (site) => {
        try {
          for (const model of await site.listModels(signal)) {
            const publicName = `${site.id}/${model.id}`;
            const aliases = Object.entries(this.#aliases)
              .filter(([, target]) => target === publicName)
              .map(([alias]) => alias);
            entries.push({ site, model, publicName, aliases });
          }
        } catch (error) {
          failures.push(error);
          this.#logger.warn({ site: site.id, err: error }, 'could not list models of a site');
        }
      }),
    );
    if (entries.length === 0 && failures.length > 0) {
      const first = failures[0];
      throw first instanceof GatewayError
        ? first
        : new GatewayError('upstream', 'No site could list its models.');
    }
    entries.sort((a, b) => a.publicName.localeCompare(b.publicName));
    this.#cache = { at: Date.now(), entries };
    return entries;
  }

  invalidate(): void {
    this.#cache = undefined;
  }

  async resolve(name: string, signal?: AbortSignal): Promise<ResolvedModel> {
    const entries = await this.list(signal);
    const target = this.#aliases[name] ?? name;
    const exact = entries.find((entry) => entry.publicName === target);
    if (exact) return exact;
    const bare = entries.filter((entry) => entry.model.id === target);
    if (bare.length === 1) return bare[0]!;
    throw new GatewayError(
      'not_found',
      bare.length > 1
        ? `The model '${name}' is offered by several sites; name it as site/model (${bare.map((e) => e.publicName).join(', ')}).`
        : `The model '${name}' does not exist or you do not have access to it.`,
      { param: 'model' },
    );
  }
}
