import { GatewayError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { type KeepAlive, startKeepAlive } from '../accounts/session-keep-alive.ts';
import type { EmbedDemoSite, SiteCreateContext, SiteDescriptor } from '../kit/site-descriptor.ts';
import { WHOLE_ACCOUNT } from './account-health.ts';
import { HealthBook, type HealthStore } from './health-book.ts';
import {
  healthPolicyOf,
  POOL_DEFAULTS,
  POOL_FIELDS,
  PoolAccountSchema,
  type PoolAccountConfig,
  type PoolSettings,
} from './pool-config.ts';
import type { AccountOrigin, PoolMember } from './pool-member.ts';
import type { AccountsRepository } from './pool-store.ts';
import { PooledSite } from './pooled-site.ts';

/** A site entry with `accounts` (any kind); its other keys are the kind's own. */
export interface PooledSiteConfig {
  id: string;
  kind: string;
  accounts: unknown[];
  pool?: PoolSettings;
  [key: string]: unknown;
}

export interface AccountPoolOptions {
  config: PooledSiteConfig;
  kind: SiteDescriptor;
  /** The context every account's adapter is built with (its proxy and embedding are the pool's). */
  context: SiteCreateContext;
  logger: Logger;
  /** Slots of a browser account without `maxConcurrent`. */
  browserMaxConcurrent: number;
  repository?: AccountsRepository;
  healthStore?: HealthStore;
  /** Told when an account's keep-alive starts or stops, by browser account id (remote login). */
  onKeepAlive?: (browserAccountId: string, keepAlive: KeepAlive | undefined) => void;
}

/** The kind's own settings of an account entry (everything but the pool's fields). */
function kindSettingsOf(account: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(account).filter(([key]) => !(POOL_FIELDS as readonly string[]).includes(key)),
  );
}

/**
 * The accounts of one pooled site: builds each account's adapter through the kind's descriptor
 * (own credentials, own proxy, own browser context; one embedded demo for all), keeps each
 * session alive, and adds, changes and removes accounts at runtime.
 */
export class AccountPool {
  readonly site: PooledSite;
  readonly settings: PoolSettings;
  readonly #options: AccountPoolOptions;
  readonly #base: Record<string, unknown>;
  #embedded: ReturnType<EmbedDemoSite> | undefined;
  #syncTimer: NodeJS.Timeout | undefined;

  private constructor(options: AccountPoolOptions, site: PooledSite, base: Record<string, unknown>) {
    this.#options = options;
    this.site = site;
    this.settings = site.settings;
    this.#base = base;
  }

  get siteId(): string {
    return this.site.id;
  }

  static async create(options: AccountPoolOptions): Promise<AccountPool> {
    const { accounts, pool: poolSettings, ...base } = options.config;
    const settings = poolSettings ?? POOL_DEFAULTS;
    const health = new HealthBook({
      siteId: options.config.id,
      store: options.healthStore,
      logger: options.logger,
      policy: healthPolicyOf(settings),
    });
    await health.sync();
    const stored = (await options.repository?.list(options.config.id)) ?? [];
    const configured = accounts.map((account) => PoolAccountSchema.parse(account) as PoolAccountConfig);
    const entries: Array<{ account: PoolAccountConfig; origin: AccountOrigin }> = [];
    for (const account of configured) {
      const row = stored.find((candidate) => candidate.id === account.id);
      // Removed through the admin API, or removed and added again there (the runtime row is it now).
      if (row?.deleted || row?.origin === 'runtime') continue;
      entries.push({ account: { ...account, ...withoutNulls(row?.settings) }, origin: 'config' });
    }
    for (const row of stored) {
      if (row.origin !== 'runtime' || row.deleted) continue;
      entries.push({
        account: PoolAccountSchema.parse({
          ...withoutNulls(row.settings),
          ...row.secrets,
          id: row.id,
        }) as PoolAccountConfig,
        origin: 'runtime',
      });
    }
    // The first account tells the pool its site's capabilities; with none (all removed through the
    // admin API), an adapter is built from the entry alone for that, and closed unused.
    const first = entries[0];
    const seed = await buildMember(
      options,
      base,
      first?.account ??
        (PoolAccountSchema.parse({ ...(configured[0] ?? {}), id: 'no-account' }) as PoolAccountConfig),
      first?.origin ?? 'config',
      undefined,
    );
    const pool = new AccountPool(
      options,
      new PooledSite({
        id: options.config.id,
        capabilities: seed.member.site.capabilities,
        settings,
        health,
        logger: options.logger.child({ pool: options.config.id }),
      }),
      base,
    );
    pool.#embedded = seed.embedded;
    try {
      if (first) {
        pool.site.add(seed.member);
        pool.#keepAlive(seed.member);
      } else {
        await seed.member.close();
        options.logger.warn(
          { site: options.config.id },
          'account pool: the site has no account (every one was removed); add one with the admin API',
        );
      }
      for (const entry of entries.slice(1)) await pool.#add(entry.account, entry.origin);
    } catch (error) {
      await pool.close();
      throw error;
    }
    if (options.healthStore) {
      pool.#syncTimer = setInterval(() => {
        pool.site.health
          .sync()
          .then(() => pool.site.wake())
          .catch((error: unknown) =>
            options.logger.warn(
              { err: error, site: pool.siteId },
              'account pool: reading shared health failed',
            ),
          );
      }, settings.syncSeconds * 1000);
      pool.#syncTimer.unref();
    }
    return pool;
  }

  /** Slots across the enabled accounts (Infinity when one is unbounded): admission's capacity. */
  slots(): number {
    return this.site
      .members()
      .filter((member) => member.config.enabled && !member.removed)
      .reduce((sum, member) => sum + member.slots, 0);
  }

  /** Accounts that can take a turn now or after a cooldown: enabled, not logged out, not banned. */
  serviceable(): number {
    return this.site.members().filter((member) => {
      if (!member.config.enabled || member.removed) return false;
      const whole = this.site.health.get(member.id, WHOLE_ACCOUNT);
      return whole?.status !== 'needs-login' && whole?.status !== 'disabled';
    }).length;
  }

  /** Adds an account at runtime (admin API); it is stored with its secrets sealed. */
  async add(input: unknown): Promise<PoolMember> {
    const parsed = PoolAccountSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues[0]);
    const account = parsed.data as PoolAccountConfig;
    const member = await this.#add(account, 'runtime');
    await this.#save(member);
    return member;
  }

  /** Changes the pool's settings of an account (enabled, weight, models, maxConcurrent). */
  async update(id: string, patch: Record<string, unknown>): Promise<PoolMember> {
    const member = this.site.member(id);
    if (!member) throw new GatewayError('not_found', `No account '${id}'.`);
    const allowed = ['enabled', 'weight', 'models', 'maxConcurrent', 'rpm', 'minSpacingMs'];
    const unknown = Object.keys(patch).find((key) => !allowed.includes(key));
    if (unknown) {
      throw new GatewayError(
        'invalid_request',
        `'${unknown}' cannot be changed; remove and add the account.`,
        {
          param: unknown,
        },
      );
    }
    const parsed = PoolAccountSchema.safeParse({ ...member.config, ...patch });
    if (!parsed.success) throw invalid(parsed.error.issues[0]);
    const next = parsed.data as PoolAccountConfig;
    if (next.maxConcurrent !== member.config.maxConcurrent) {
      throw new GatewayError('invalid_request', 'maxConcurrent cannot be changed at runtime yet.', {
        param: 'maxConcurrent',
      });
    }
    member.config = next;
    // Enabling again is a person's word that the account is fine: its ban and cooldowns go.
    if (patch.enabled === true) this.site.health.forget(id);
    await this.#save(member);
    this.site.wake();
    return member;
  }

  async remove(id: string): Promise<void> {
    const member = this.site.member(id);
    if (!member) throw new GatewayError('not_found', `No account '${id}'.`);
    if (member.browserAccountId) this.#options.onKeepAlive?.(member.browserAccountId, undefined);
    const inConfigFile = this.#options.config.accounts.some(
      (account) => (account as { id?: unknown }).id === id,
    );
    await this.#options.repository?.remove(id, this.siteId, inConfigFile ? 'config' : member.origin);
    await this.site.remove(id);
  }

  async close(): Promise<void> {
    clearInterval(this.#syncTimer);
    await this.site.close();
    await this.site.health.flush();
    const embedded = await this.#embedded?.catch(() => undefined);
    await embedded?.close();
  }

  async #add(account: PoolAccountConfig, origin: AccountOrigin): Promise<PoolMember> {
    if (this.site.member(account.id)) {
      throw new GatewayError('invalid_request', `An account '${account.id}' exists already.`, {
        status: 409,
        param: 'id',
      });
    }
    const built = await buildMember(this.#options, this.#base, account, origin, () => this.#sharedDemo());
    this.site.add(built.member);
    this.#keepAlive(built.member);
    return built.member;
  }

  #sharedDemo(): EmbedDemoSite | undefined {
    const embed = this.#embedded;
    return embed ? async () => ({ url: (await embed).url, close: async () => {} }) : undefined;
  }

  #keepAlive(member: PoolMember): void {
    const health = this.site.health;
    member.keepAlive = startKeepAlive(member.site, this.settings.keepAliveSeconds * 1000, {
      logger: this.#options.logger.child({ account: member.id }),
      jitter: 0.2,
      // Every outcome, not only changes: a turn may have marked the account since the last probe.
      onCheck: (state) => {
        if (state.state === 'ok') health.clear(member.id, WHOLE_ACCOUNT);
        else if (state.state === 'needs-login' || state.state === 'disabled') {
          const reason = state.reason;
          health.set(member.id, WHOLE_ACCOUNT, { status: state.state, reason, strikes: 0, failures: [] });
        }
        this.site.wake();
      },
    });
    if (member.browserAccountId) this.#options.onKeepAlive?.(member.browserAccountId, member.keepAlive);
  }

  async #save(member: PoolMember): Promise<void> {
    const repository = this.#options.repository;
    if (!repository) return;
    const { id, enabled, weight, models, maxConcurrent, rpm, minSpacingMs } = member.config;
    // `models: null` keeps "every model" over a config file's list after a restart.
    const settings = {
      enabled,
      weight,
      models: models ?? null,
      maxConcurrent,
      rpm: rpm ?? null,
      minSpacingMs: minSpacingMs ?? null,
    };
    if (member.origin === 'config') {
      await repository.save({ id, siteId: this.siteId, origin: 'config', settings, secrets: undefined });
      return;
    }
    const secrets = kindSettingsOf(member.config);
    if (member.config.proxy !== undefined) secrets.proxy = member.config.proxy;
    await repository.save({ id, siteId: this.siteId, origin: 'runtime', settings, secrets });
  }
}

/** Stored pool settings without their nulls (a null says "unset", over the config file's value). */
function withoutNulls(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings ?? {})) {
    if (value === null) out[key] = undefined;
    else out[key] = value;
  }
  return out;
}

function invalid(issue: { path: PropertyKey[]; message: string } | undefined): GatewayError {
  const param = issue?.path.map(String).join('.') || undefined;
  return new GatewayError(
    'invalid_request',
    `${param ? `${param}: ` : ''}${issue?.message ?? 'invalid account'}`,
    {
      param,
    },
  );
}

/** One account's adapter, built by the kind's descriptor with the account's settings over the site's. */
async function buildMember(
  options: AccountPoolOptions,
  base: Record<string, unknown>,
  account: PoolAccountConfig,
  origin: AccountOrigin,
  sharedDemo: (() => EmbedDemoSite | undefined) | undefined,
): Promise<{ member: PoolMember; embedded: ReturnType<EmbedDemoSite> | undefined }> {
  const siteId = options.config.id;
  const checked = options.kind.configSchema.safeParse({ ...base, ...kindSettingsOf(account), id: siteId });
  if (!checked.success) throw invalid(checked.error.issues[0]);
  const memberId = `${siteId}.${account.id}`;
  const config = { ...checked.data, id: memberId };
  const closers: Array<() => Promise<void>> = [];
  let embedded: ReturnType<EmbedDemoSite> | undefined;
  const shared = sharedDemo?.();
  const embed: EmbedDemoSite | undefined =
    shared ??
    (options.context.embedDemoSite &&
      ((input) => {
        embedded ??= (options.context.embedDemoSite as EmbedDemoSite)(input);
        // The pool closes the one demo it started, after every account.
        return embedded.then((demo) => ({ url: demo.url, close: async () => {} }));
      }));
  const inBrowser = options.kind.usesBrowser(config);
  const site = await options.kind.create(config, {
    ...options.context,
    proxy: account.proxy,
    embedDemoSite: embed,
    onClose: (closer) => closers.push(closer),
    embedded: (url) => {
      if (!shared) options.context.embedded(url);
    },
  });
  const slots =
    account.maxConcurrent ?? (inBrowser ? options.browserMaxConcurrent : Number.POSITIVE_INFINITY);
  const member: PoolMember = {
    id: account.id,
    config: account,
    origin,
    site,
    inFlight: 0,
    slots,
    models: undefined,
    starts: [],
    uploads: new Map(),
    keepAlive: undefined,
    browserAccountId: inBrowser ? memberId : undefined,
    removed: false,
    close: async () => {
      await site.close();
      for (const closer of closers) await closer().catch(() => undefined);
    },
  };
  return { member, embedded };
}
