/**
 * The admin API under `/admin/api`, for the admin token only (`auth: 'admin-token'`; API keys, the
 * owner's included, never open it). JSON in and out; errors are `{ "error": { "type", "message", … } }`.
 * Every change is one transaction with its audit row (`users-repository.ts`); secrets appear only
 * in the one answer that creates a key.
 */
import type { Limits } from '../admission/request-limits.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { GatewayError } from '../core/errors.ts';
import { validateBody } from '../dialects/shared/validate-body.ts';
import type { Database } from '../store/schema.ts';
import { usageReport } from './usage-report.ts';
import { BUCKET_MS, bucketStart, usageSeries } from './usage-series.ts';
import { DuplicateNameError, type KeyRow, type UserRow, createUsersRepository } from './users-repository.ts';

const ACTOR = 'admin-api';
const auth = { config: { auth: 'admin-token' as const } };

const quota = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable();
/** Admission limits per user (docs/admission.md): a positive whole number, or null to clear. */
const limit = z.number().int().positive().max(1_000_000_000).nullable().optional();
const limitFields = { rpm: limit, tpm: limit, max_concurrent: limit };
const createUserBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  token_quota: quota.optional(),
  ...limitFields,
});
const patchUserBody = z.strictObject({
  status: z.enum(['active', 'paused']).optional(),
  token_quota: quota.optional(),
  ...limitFields,
});

/** The stored limits after applying the body's `rpm` / `tpm` / `max_concurrent` (null clears one). */
function mergeLimits(
  current: string | null,
  body: {
    rpm?: number | null | undefined;
    tpm?: number | null | undefined;
    max_concurrent?: number | null | undefined;
  },
): string | null {
  const limits: Limits = current ? (JSON.parse(current) as Limits) : {};
  const apply = (name: keyof Limits, value: number | null | undefined) => {
    if (value === null) delete limits[name];
    else if (value !== undefined) limits[name] = value;
  };
  apply('rpm', body.rpm);
  apply('tpm', body.tpm);
  apply('maxConcurrent', body.max_concurrent);
  return Object.keys(limits).length === 0 ? null : JSON.stringify(limits);
}
const createKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  models: z.array(z.string().min(1)).max(100).optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});
const rotateKeyBody = z.strictObject({
  grace_seconds: z
    .number()
    .int()
    .nonnegative()
    .max(30 * 86400)
    .optional(),
});
const usageQuery = z.strictObject({
  user: z.string().optional(),
  key: z.string().optional(),
  model: z.string().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  group_by: z.enum(['day', 'model', 'user', 'account']).optional(),
});
const seriesQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  bucket: z.enum(['minute', 'hour', 'day']).optional(),
  user: z.string().optional(),
  model: z.string().optional(),
});
/** The window a series shows when the query names no `from`: an hour of minutes, a day of hours, 30 days. */
const DEFAULT_SPAN = { minute: 60, hour: 24, day: 30 } as const;
const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.string().optional(),
  object_id: z.string().optional(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function userView(row: UserRow) {
  const limits: Limits = row.limits_json ? (JSON.parse(row.limits_json) as Limits) : {};
  return {
    id: row.id,
    object: 'user',
    name: row.name,
    status: row.status,
    token_quota: row.token_quota === null ? null : Number(row.token_quota),
    used_tokens: Number(row.used_tokens),
    reserved_tokens: Number(row.reserved_tokens),
    rpm: limits.rpm ?? null,
    tpm: limits.tpm ?? null,
    max_concurrent: limits.maxConcurrent ?? null,
    created_at: iso(row.created_at),
    last_active_at: iso(row.last_active_at),
  };
}

function keyView(row: Omit<KeyRow, 'key_hash'>) {
  return {
    id: row.id,
    object: 'api_key',
    user_id: row.user_id,
    name: row.name,
    prefix: row.prefix,
    models: row.models_json === null ? null : (JSON.parse(row.models_json) as string[]),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    created_at: iso(row.created_at),
    last_used_at: iso(row.last_used_at),
  };
}

const notFound = (what: 'user' | 'key', id: string) =>
  new GatewayError('not_found', `No ${what} with id '${id}'.`, { param: 'id' });

/** Two concurrent creates can both pass the name check; the unique index decides, as a 409 too. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface AdminApiDeps {
  db: Kysely<Database>;
  /** Called after any change that can affect authentication (pause, quota, revoke, delete). */
  onChange?: () => void;
  /** Queue depth, waits and rejections (`GET /admin/api/admission`); absent when admission is off. */
  admission?: { snapshot(): object } | undefined;
}

export function registerAdminApiRoutes(app: FastifyInstance, deps: AdminApiDeps): void {
  const users = createUsersRepository(deps.db);
  const changed = () => deps.onChange?.();
  const userOr404 = async (id: string) => {
    const user = await users.getUser(id);
    if (!user || user.id !== id) throw notFound('user', id);
    return user;
  };
  const created = (reply: FastifyReply, body: object) => reply.code(201).send(body);

  app.post('/admin/api/users', auth, async (request, reply) => {
    const body = validateBody(createUserBody, request.body);
    try {
      const limits = mergeLimits(null, body);
      return created(
        reply,
        userView(await users.createUser(ACTOR, body.name, body.token_quota ?? null, limits)),
      );
    } catch (error) {
      if (error instanceof DuplicateNameError || isUniqueViolation(error)) {
        throw new GatewayError('invalid_request', `A user named '${body.name}' already exists.`, {
          status: 409,
          param: 'name',
        });
      }
      throw error;
    }
  });

  app.get('/admin/api/users', auth, async () => ({
    object: 'list',
    data: (await users.listUsers()).map(userView),
  }));

  app.get('/admin/api/users/:id', auth, async (request) =>
    userView(await userOr404((request.params as { id: string }).id)),
  );

  app.patch('/admin/api/users/:id', auth, async (request) => {
    const { id } = request.params as { id: string };
    const body = validateBody(patchUserBody, request.body);
    const patch: { status?: 'active' | 'paused'; token_quota?: number | null; limits_json?: string | null } =
      {};
    if (body.status !== undefined) patch.status = body.status;
    if (body.token_quota !== undefined) patch.token_quota = body.token_quota;
    if (body.rpm !== undefined || body.tpm !== undefined || body.max_concurrent !== undefined) {
      const current = await users.getUser(id);
      if (!current || current.id !== id) throw notFound('user', id);
      patch.limits_json = mergeLimits(current.limits_json, body);
    }
    const updated = await users.updateUser(ACTOR, id, patch);
    if (!updated) throw notFound('user', id);
    changed();
    return userView(updated);
  });

  app.delete('/admin/api/users/:id', auth, async (request) => {
    const { id } = request.params as { id: string };
    if (!(await users.deleteUser(ACTOR, id))) throw notFound('user', id);
    changed();
    return { id, object: 'user', deleted: true };
  });

  app.post('/admin/api/users/:id/keys', auth, async (request, reply) => {
    const user = await userOr404((request.params as { id: string }).id);
    const body = validateBody(createKeyBody, request.body ?? {});
    const expiresAt = body.expires_at ? Date.parse(body.expires_at) : undefined;
    if (expiresAt !== undefined && expiresAt <= Date.now()) {
      throw new GatewayError('invalid_request', "Invalid 'expires_at': it is in the past.", {
        param: 'expires_at',
      });
    }
    const key = await users.createKey(ACTOR, user.id, {
      name: body.name ?? 'default',
      models: body.models,
      expiresAt,
    });
    return created(reply, { ...key, object: 'api_key', user_id: user.id });
  });

  app.get('/admin/api/users/:id/keys', auth, async (request) => {
    const user = await userOr404((request.params as { id: string }).id);
    return { object: 'list', data: (await users.listKeys(user.id)).map(keyView) };
  });

  app.get('/admin/api/keys/:id', auth, async (request) => {
    const { id } = request.params as { id: string };
    const key = await users.getKey(id);
    if (!key) throw notFound('key', id);
    return keyView(key);
  });

  app.delete('/admin/api/keys/:id', auth, async (request) => {
    const { id } = request.params as { id: string };
    if (!(await users.revokeKey(ACTOR, id))) throw notFound('key', id);
    changed();
    return { id, object: 'api_key', revoked: true };
  });

  app.post('/admin/api/keys/:id/rotate', auth, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = validateBody(rotateKeyBody, request.body ?? {});
    const rotated = await users.rotateKey(ACTOR, id, (body.grace_seconds ?? 0) * 1000);
    if (!rotated) throw notFound('key', id);
    changed();
    const old = await users.getKey(id);
    return created(reply, {
      ...rotated,
      object: 'api_key',
      replaces: id,
      old_key_revoked_at: iso(old?.revoked_at ?? null),
    });
  });

  app.get('/admin/api/usage', auth, async (request) => {
    const query = validateBody(usageQuery, request.query ?? {});
    return usageReport(deps.db, {
      userId: query.user,
      keyId: query.key,
      model: query.model,
      from: query.from === undefined ? undefined : Date.parse(query.from),
      to: query.to === undefined ? undefined : Date.parse(query.to),
      groupBy: query.group_by,
    });
  });

  // Buckets start on whole UTC minutes, hours or days, so charts of different ranges line up.
  app.get('/admin/api/usage/series', auth, async (request) => {
    const query = validateBody(seriesQuery, request.query ?? {});
    const unit = query.bucket ?? 'hour';
    const bucketMs = BUCKET_MS[unit];
    const to = query.to === undefined ? Date.now() : Date.parse(query.to);
    const from = bucketStart(
      query.from === undefined ? to - DEFAULT_SPAN[unit] * bucketMs : Date.parse(query.from),
      bucketMs,
    );
    return usageSeries(deps.db, { from, to, bucketMs, userId: query.user, model: query.model });
  });

  app.get('/admin/api/admission', auth, async () => {
    if (!deps.admission) return { object: 'admission', enabled: false };
    return { object: 'admission', enabled: true, ...deps.admission.snapshot() };
  });

  app.get('/admin/api/audit', auth, async (request) => {
    const query = validateBody(auditQuery, request.query ?? {});
    const limit = query.limit ?? 100;
    const rows = await users.auditLog({ limit: limit + 1, before: query.before, objectId: query.object_id });
    const page = rows.slice(0, limit);
    return {
      object: 'list',
      data: page.map((row) => ({
        id: row.id,
        at: iso(row.at),
        actor: row.actor,
        action: row.action,
        object_type: row.object_type,
        object_id: row.object_id,
        before: row.before_json === null ? null : JSON.parse(row.before_json),
        after: row.after_json === null ? null : JSON.parse(row.after_json),
      })),
      has_more: rows.length > limit,
    };
  });
}
