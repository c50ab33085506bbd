/**
 * Users and their API keys in the store. Every admin action is one transaction that also writes
 * its audit row (never a secret: keys appear only as id and display prefix).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { ApiKeysTable, Database, UsersTable } from '../store/schema.ts';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key-secret.ts';

export type UserRow = UsersTable;
export type KeyRow = ApiKeysTable;

export class DuplicateNameError extends Error {}

export interface CreatedKey {
  id: string;
  /** The only time the key is ever available. */
  key: string;
  prefix: string;
}

async function audit(
  trx: Transaction<Database>,
  actor: string,
  action: string,
  objectType: string,
  objectId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: Date.now(),
      actor,
      action,
      object_type: objectType,
      object_id: objectId,
      before_json: before === undefined ? null : JSON.stringify(before),
      after_json: after === undefined ? null : JSON.stringify(after),
    })
    .execute();
}

/** A key row without its hash, safe for audit rows and listings. */
export function publicKey(row: KeyRow): Omit<KeyRow, 'key_hash'> {
  const { key_hash: _hash, ...rest } = row;
  return rest;
}

export function createUsersRepository(db: Kysely<Database>) {
  return {
    async createUser(
      actor: string,
      name: string,
      tokenQuota: number | null,
      limitsJson: string | null = null,
    ): Promise<UserRow> {
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('users')
          .select('id')
          .where('name', '=', name)
          .executeTakeFirst();
        if (existing) throw new DuplicateNameError(`A user named '${name}' already exists.`);
        const row: UserRow = {
          id: `usr_${randomUUID()}`,
          name,
          status: 'active',
          token_quota: tokenQuota,
          used_tokens: 0,
          reserved_tokens: 0,
          limits_json: limitsJson,
          created_at: Date.now(),
          last_active_at: null,
          deleted_at: null,
        };
        await trx.insertInto('users').values(row).execute();
        await audit(trx, actor, 'user.create', 'user', row.id, undefined, row);
        return row;
      });
    },

    async getUser(idOrName: string): Promise<UserRow | undefined> {
      return db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },

    async listUsers(): Promise<UserRow[]> {
      return db
        .selectFrom('users')
        .selectAll()
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .execute();
    },

    async updateUser(
      actor: string,
      id: string,
      patch: { status?: 'active' | 'paused'; token_quota?: number | null; limits_json?: string | null },
    ): Promise<UserRow | undefined> {
      return db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('users')
          .selectAll()
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (!before) return undefined;
        await trx.updateTable('users').set(patch).where('id', '=', id).execute();
        const after = { ...before, ...patch };
        await audit(trx, actor, 'user.update', 'user', id, before, after);
        return after;
      });
    },

    /** Soft delete: keys stop working, usage rows stay. */
    async deleteUser(actor: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const now = Date.now();
        const result = await trx
          .updateTable('users')
          .set({ deleted_at: now })
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx
          .updateTable('api_keys')
          .set({ revoked_at: now })
          .where('user_id', '=', id)
          .where('revoked_at', 'is', null)
          .execute();
        await audit(trx, actor, 'user.delete', 'user', id, undefined, undefined);
        return true;
      });
    },

    async createKey(
      actor: string,
      userId: string,
      options: { name: string; models?: string[] | undefined; expiresAt?: number | undefined },
    ): Promise<CreatedKey> {
      const key = generateApiKey();
      const row: KeyRow = {
        id: `key_${randomUUID()}`,
        user_id: userId,
        name: options.name,
        key_hash: hashApiKey(key),
        prefix: displayPrefix(key),
        models_json: options.models ? JSON.stringify(options.models) : null,
        expires_at: options.expiresAt ?? null,
        revoked_at: null,
        created_at: Date.now(),
        last_used_at: null,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('api_keys').values(row).execute();
        await audit(trx, actor, 'key.create', 'api_key', row.id, undefined, publicKey(row));
      });
      return { id: row.id, key, prefix: row.prefix };
    },

    async listKeys(userId: string): Promise<Omit<KeyRow, 'key_hash'>[]> {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute();
      return rows.map(publicKey);
    },

    /** Revokes now, or at `at` (rotation grace period). False when the key does not exist. */
    async revokeKey(actor: string, keyId: string, at: number = Date.now()): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', keyId)
          .executeTakeFirst();
        if (!before) return false;
        await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', keyId).execute();
        await audit(trx, actor, 'key.revoke', 'api_key', keyId, publicKey(before), { revoked_at: at });
        return true;
      });
    },

    /**
     * A new key for the same user, name, models and expiry; the old one stays valid for
     * `graceMs` (0 = revoked now). One transaction, one audit row. Undefined for an unknown,
     * already revoked or deleted user's key.
     */
    async rotateKey(actor: string, keyId: string, graceMs = 0): Promise<CreatedKey | undefined> {
      return db.transaction().execute(async (trx) => {
        const now = Date.now();
        const old = await trx.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
        if (!old || (old.revoked_at !== null && old.revoked_at <= now)) return undefined;
        const key = generateApiKey();
        const row: KeyRow = {
          ...old,
          id: `key_${randomUUID()}`,
          key_hash: hashApiKey(key),
          prefix: displayPrefix(key),
          revoked_at: null,
          created_at: now,
          last_used_at: null,
        };
        await trx.insertInto('api_keys').values(row).execute();
        const revokedAt = now + Math.max(0, graceMs);
        await trx.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', keyId).execute();
        await audit(trx, actor, 'key.rotate', 'api_key', keyId, publicKey(old), {
          revoked_at: revokedAt,
          replaced_by: row.id,
        });
        return { id: row.id, key, prefix: row.prefix };
      });
    },

    async getKey(keyId: string): Promise<Omit<KeyRow, 'key_hash'> | undefined> {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
      return row ? publicKey(row) : undefined;
    },

    /** Newest first; `before` is an audit row id to page from. */
    async auditLog(options: { limit: number; before?: string | undefined; objectId?: string | undefined }) {
      let query = db.selectFrom('audit_log').selectAll();
      if (options.objectId !== undefined) query = query.where('object_id', '=', options.objectId);
      if (options.before !== undefined) {
        const cursor = await db
          .selectFrom('audit_log')
          .select(['at', 'id'])
          .where('id', '=', options.before)
          .executeTakeFirst();
        if (cursor)
          query = query.where((eb) =>
            eb.or([eb('at', '<', cursor.at), eb.and([eb('at', '=', cursor.at), eb('id', '<', cursor.id)])]),
          );
      }
      return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
    },

    /** The key row and its user for a presented key (by hash), whatever their state. */
    async findByKey(key: string): Promise<{ key: KeyRow; user: UserRow } | undefined> {
      const keyRow = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', hashApiKey(key))
        .executeTakeFirst();
      if (!keyRow) return undefined;
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', keyRow.user_id)
        .executeTakeFirst();
      return user ? { key: keyRow, user } : undefined;
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
