/**
 * `/admin/api/accounts`: the site accounts of every account pool, for the admin token only. Add,
 * change, disable and remove accounts without a restart; start a remote login; probe a session now.
 * Answers never carry a secret: settings the kind reads (credentials, cookies) are not shown, and a
 * proxy shows without its password.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../core/errors.ts';
import { validateBody } from '../dialects/shared/validate-body.ts';
import { WHOLE_ACCOUNT } from '../sites/pool/account-health.ts';
import type { AccountPool } from '../sites/pool/account-pool.ts';
import type { PoolMember } from '../sites/pool/pool-member.ts';
import { maskProxyUrl } from '../sites/pool/pool-config.ts';

const auth = { config: { auth: 'admin-token' as const } };

const poolFields = {
  enabled: z.boolean().optional(),
  weight: z.number().int().min(1).max(1000).optional(),
  models: z.array(z.string().min(1)).min(1).max(500).nullable().optional(),
  max_concurrent: z.number().int().positive().max(10_000).optional(),
  rpm: z.number().int().positive().max(100_000).nullable().optional(),
  min_spacing_ms: z.number().int().min(0).max(3_600_000).nullable().optional(),
};
const createBody = z.strictObject({
  site: z.string().min(1),
  id: z.string().min(1),
  proxy: z.string().min(1).optional(),
  /** The kind's own settings for this account (e.g. `credentials`), over the site entry's. */
  settings: z.record(z.string(), z.unknown()).optional(),
  ...poolFields,
});
const patchBody = z.strictObject(poolFields);

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export interface AccountAdminDeps {
  pools: Map<string, AccountPool>;
  /** Remote-login page prefix (`browser.remoteLoginPrefix`); absent when no browser runs. */
  remoteLoginPrefix: string | undefined;
}

/** An account as the admin API answers it (the dashboard's Accounts page shows the same view). */
export function accountView(pool: AccountPool, member: PoolMember, deps: AccountAdminDeps) {
  const now = Date.now();
  const states = pool.site.health.of(member.id);
  const whole = states[WHOLE_ACCOUNT];
  const models = Object.fromEntries(
    Object.entries(states)
      .filter(([model]) => model !== WHOLE_ACCOUNT)
      .map(([model, state]) => [
        model,
        {
          status: state.status === 'cooling' && (state.until ?? 0) <= now ? 'ok' : state.status,
          reason: state.reason,
          until: iso(state.until),
          strikes: state.strikes,
        },
      ]),
  );
  const session = member.keepAlive?.health;
  const loginUrl =
    member.browserAccountId && deps.remoteLoginPrefix
      ? `${deps.remoteLoginPrefix}/${encodeURIComponent(member.browserAccountId)}`
      : null;
  let status: string = member.config.enabled ? 'ok' : 'disabled';
  if (member.config.enabled && whole) status = whole.status === 'disabled' ? 'banned' : whole.status;
  return {
    id: member.id,
    object: 'site_account',
    site: pool.siteId,
    origin: member.origin,
    enabled: member.config.enabled,
    status,
    reason: whole?.reason ?? null,
    weight: member.config.weight,
    models: member.config.models ?? null,
    max_concurrent: Number.isFinite(member.slots) ? member.slots : null,
    rpm: member.config.rpm ?? null,
    min_spacing_ms: member.config.minSpacingMs ?? null,
    in_flight: member.inFlight,
    proxy: member.config.proxy === undefined ? null : maskProxyUrl(member.config.proxy),
    session: session
      ? { state: session.state, checked_at: 'checkedAt' in session ? session.checkedAt.toISOString() : null }
      : null,
    model_health: models,
    login_url: status === 'needs-login' ? loginUrl : null,
    remote_login_path: loginUrl,
  };
}

export type AccountView = ReturnType<typeof accountView>;

/** The pool and member of an account id (ids are unique across sites); a 404 GatewayError if none. */
export function findPoolAccount(
  pools: Map<string, AccountPool>,
  id: string,
): { pool: AccountPool; member: PoolMember } {
  for (const pool of pools.values()) {
    const member = pool.site.member(id);
    if (member) return { pool, member };
  }
  throw new GatewayError('not_found', `No site account with id '${id}'.`, { param: 'id' });
}

export function registerAccountAdminRoutes(app: FastifyInstance, deps: AccountAdminDeps): void {
  const find = (id: string) => findPoolAccount(deps.pools, id);

  app.get('/admin/api/accounts', auth, async () => ({
    object: 'list',
    data: [...deps.pools.values()].flatMap((pool) =>
      pool.site.members().map((member) => accountView(pool, member, deps)),
    ),
  }));

  app.get('/admin/api/accounts/:id', auth, async (request) => {
    const { pool, member } = find((request.params as { id: string }).id);
    return accountView(pool, member, deps);
  });

  app.post('/admin/api/accounts', auth, async (request, reply) => {
    const body = validateBody(createBody, request.body);
    const pool = deps.pools.get(body.site);
    if (!pool) {
      throw new GatewayError(
        'invalid_request',
        deps.pools.size === 0
          ? `No site has an account pool: give site '${body.site}' an 'accounts' list in the config.`
          : `Site '${body.site}' has no account pool (pooled sites: ${[...deps.pools.keys()].join(', ')}).`,
        { param: 'site' },
      );
    }
    for (const other of deps.pools.values()) {
      if (other.site.member(body.id)) {
        throw new GatewayError('invalid_request', `A site account '${body.id}' exists already.`, {
          status: 409,
          param: 'id',
        });
      }
    }
    const account: Record<string, unknown> = { ...(body.settings ?? {}), id: body.id };
    if (body.enabled !== undefined) account.enabled = body.enabled;
    if (body.weight !== undefined) account.weight = body.weight;
    if (body.models) account.models = body.models;
    if (body.max_concurrent !== undefined) account.maxConcurrent = body.max_concurrent;
    if (body.rpm !== undefined && body.rpm !== null) account.rpm = body.rpm;
    if (body.min_spacing_ms !== undefined && body.min_spacing_ms !== null)
      account.minSpacingMs = body.min_spacing_ms;
    if (body.proxy !== undefined) account.proxy = body.proxy;
    const member = await pool.add(account);
    return reply.code(201).send(accountView(pool, member, deps));
  });

  app.patch('/admin/api/accounts/:id', auth, async (request) => {
    const { pool, member } = find((request.params as { id: string }).id);
    const body = validateBody(patchBody, request.body);
    const patch: Record<string, unknown> = {};
    if (body.enabled !== undefined) patch.enabled = body.enabled;
    if (body.weight !== undefined) patch.weight = body.weight;
    if (body.models !== undefined) patch.models = body.models ?? undefined;
    if (body.max_concurrent !== undefined) patch.maxConcurrent = body.max_concurrent;
    if (body.rpm !== undefined) patch.rpm = body.rpm ?? undefined;
    if (body.min_spacing_ms !== undefined) patch.minSpacingMs = body.min_spacing_ms ?? undefined;
    return accountView(pool, await pool.update(member.id, patch), deps);
  });

  app.delete('/admin/api/accounts/:id', auth, async (request) => {
    const { pool, member } = find((request.params as { id: string }).id);
    await pool.remove(member.id);
    return { id: member.id, object: 'site_account', deleted: true };
  });

  app.post('/admin/api/accounts/:id/check', auth, async (request) => {
    const { pool, member } = find((request.params as { id: string }).id);
    await member.keepAlive?.checkNow();
    return accountView(pool, member, deps);
  });

  // A browser account: the remote-login page where a person logs in (captcha, 2FA). Over HTTP the
  // configured login runs now.
  app.post('/admin/api/accounts/:id/login', auth, async (request) => {
    const { pool, member } = find((request.params as { id: string }).id);
    if (member.browserAccountId && deps.remoteLoginPrefix) {
      return {
        ...accountView(pool, member, deps),
        login_url: `${deps.remoteLoginPrefix}/${encodeURIComponent(member.browserAccountId)}`,
      };
    }
    await member.site.login(AbortSignal.timeout(60_000));
    await member.keepAlive?.checkNow();
    return accountView(pool, member, deps);
  });
}
