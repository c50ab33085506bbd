import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { HealthState } from './account-health.ts';
import type { HealthStore } from './health-book.ts';
import type { AccountOrigin } from './pool-member.ts';

/** Encrypts account secrets for the store (src/secrets/ SecretBox). */
export interface SecretSealer {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
}

/** An account row: pool settings in the clear, the kind's settings (credentials…) sealed. */
export interface StoredAccount {
  id: string;
  siteId: string;
  origin: AccountOrigin;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown> | undefined;
  deleted: boolean;
}

export function createHealthStore(db: Kysely<Database>): HealthStore {
  return {
    async load(siteId) {
      const rows = await db.selectFrom('account_health').selectAll().where('site_id', '=', siteId).execute();
      return rows.map((row) => ({
        accountId: row.account_id,
        model: row.model,
        state: JSON.parse(row.state_json) as HealthState,
      }));
    },
    async save(siteId, accountId, model, state) {
      const row = {
        account_id: accountId,
        model,
        site_id: siteId,
        state_json: JSON.stringify(state),
        updated_at: Date.now(),
      };
      await db
        .insertInto('account_health')
        .values(row)
        .onConflict((oc) => oc.columns(['account_id', 'model']).doUpdateSet(row))
        .execute();
    },
    async remove(accountId, model) {
      let query = db.deleteFrom('account_health').where('account_id', '=', accountId);
      if (model !== undefined) query = query.where('model', '=', model);
      await query.execute();
    },
  };
}

/** Accounts added through the admin API, and admin changes to configured ones (tombstones too). */
export class AccountsRepository {
  readonly #db: Kysely<Database>;
  readonly #sealer: SecretSealer;

  constructor(db: Kysely<Database>, sealer: SecretSealer) {
    this.#db = db;
    this.#sealer = sealer;
  }

  async list(siteId?: string): Promise<StoredAccount[]> {
    let query = this.#db.selectFrom('site_accounts').selectAll();
    if (siteId !== undefined) query = query.where('site_id', '=', siteId);
    const rows = await query.orderBy('created_at').execute();
    return rows.map((row) => ({
      id: row.id,
      siteId: row.site_id,
      origin: row.origin,
      settings: JSON.parse(row.settings_json) as Record<string, unknown>,
      secrets:
        row.secrets === null
          ? undefined
          : (JSON.parse(this.#sealer.decrypt(row.secrets)) as Record<string, unknown>),
      deleted: row.deleted_at !== null,
    }));
  }

  async save(account: Omit<StoredAccount, 'deleted'>): Promise<void> {
    const now = Date.now();
    const row = {
      id: account.id,
      site_id: account.siteId,
      origin: account.origin,
      settings_json: JSON.stringify(account.settings),
      secrets:
        account.secrets === undefined || Object.keys(account.secrets).length === 0
          ? null
          : this.#sealer.encrypt(JSON.stringify(account.secrets)),
      deleted_at: null,
      created_at: now,
      updated_at: now,
    };
    const { created_at: _created, ...update } = row;
    await this.#db
      .insertInto('site_accounts')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(update))
      .execute();
  }

  /**
   * A runtime account goes; a configured one (`origin: 'config'`, also one the config file names
   * that was added again at runtime) is remembered as removed, so it stays out after a restart.
   */
  async remove(id: string, siteId: string, origin: AccountOrigin): Promise<void> {
    if (origin === 'runtime') {
      await this.#db.deleteFrom('site_accounts').where('id', '=', id).execute();
      return;
    }
    const now = Date.now();
    await this.#db
      .insertInto('site_accounts')
      .values({
        id,
        site_id: siteId,
        origin: 'config',
        settings_json: '{}',
        secrets: null,
        deleted_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          origin: 'config',
          settings_json: '{}',
          secrets: null,
          deleted_at: now,
          updated_at: now,
        }),
      )
      .execute();
  }
}
