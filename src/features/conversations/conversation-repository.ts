import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ConversationThreadsTable, Database } from '../../store/schema.ts';
import type { TranscriptScope } from './hash-transcript.ts';

/** A site thread as the site knows it. */
export interface ThreadRef {
  siteId: string;
  threadId: string;
  /** The site account holding the thread; absent for single-account sites. */
  accountId?: string;
}

export interface ThreadRecord extends ThreadRef {
  rowId: string;
  keyId: string;
  model: string;
  conversationName?: string;
  tipHash?: string;
  turns: number;
  createdAt: Date;
  lastUsedAt: Date;
  deleteAfter: Date;
}

export interface RecordTurnInput {
  scope: TranscriptScope;
  thread: ThreadRef;
  /**
   * Hash of the transcript through the answer just completed: the next continuation's key.
   * Absent for named threads, which are reached by name only.
   */
  tipHash?: string;
  conversationName?: string;
  now: Date;
  deleteAfter: Date;
}

/** Persistence of thread mappings. Every read that can lead to a thread filters on the key. */
export interface ConversationRepository {
  /** The live thread whose last completed turn has this transcript hash, for this exact scope. */
  findByTip(scope: TranscriptScope, tipHash: string, now: Date): Promise<ThreadRecord | undefined>;
  /** The thread a caller named with `x-conversation-id`, for this exact scope. */
  findByName(scope: TranscriptScope, name: string, now: Date): Promise<ThreadRecord | undefined>;
  /**
   * Takes the thread's tip for one in-flight turn (tip → null) and marks it used now, so the
   * sweeper leaves it alone. False when another request took it first: two concurrent requests
   * never write into one thread.
   */
  claimTip(rowId: string, tipHash: string, now: Date, deleteAfter: Date): Promise<boolean>;
  /** Gives a claimed tip back when the turn was never sent; false if the hash moved on meanwhile. */
  restoreTip(rowId: string, tipHash: string): Promise<boolean>;
  /** Upserts the thread after a completed turn and points the tip hash (and name) at it. */
  recordTurn(input: RecordTurnInput): Promise<void>;
  /** Drops a thread's mapping (the site lost it, or it was deleted). */
  forget(thread: ThreadRef): Promise<boolean>;
  /** Threads whose deletion time has come, oldest first. */
  listDue(now: Date, limit: number): Promise<ThreadRecord[]>;
  /**
   * Takes a due thread for deletion: unreachable from then on (no tip, no name) and not due again
   * before `retryAt`, so a failed site deletion is retried later. False if it was used meanwhile.
   */
  leaseForDeletion(rowId: string, now: Date, retryAt: Date): Promise<boolean>;
  remove(rowId: string): Promise<void>;
}

const NO_ACCOUNT = '';

export function createConversationRepository(db: Kysely<Database>): ConversationRepository {
  return {
    async findByTip(scope, tipHash, now) {
      const row = await db
        .selectFrom('conversation_threads')
        .selectAll()
        .where('tip_hash', '=', tipHash)
        .where('key_id', '=', scope.keyId)
        .where('site_id', '=', scope.siteId)
        .where('model', '=', scope.model)
        .where('delete_after', '>', now.getTime())
        .executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async findByName(scope, name, now) {
      const row = await db
        .selectFrom('conversation_threads')
        .selectAll()
        .where('key_id', '=', scope.keyId)
        .where('site_id', '=', scope.siteId)
        .where('model', '=', scope.model)
        .where('conversation_name', '=', name)
        .where('delete_after', '>', now.getTime())
        .executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async claimTip(rowId, tipHash, now, deleteAfter) {
      const result = await db
        .updateTable('conversation_threads')
        .set({ tip_hash: null, last_used_at: now.getTime(), delete_after: deleteAfter.getTime() })
        .where('id', '=', rowId)
        .where('tip_hash', '=', tipHash)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async restoreTip(rowId, tipHash) {
      return db.transaction().execute(async (trx) => {
        const holder = await trx
          .selectFrom('conversation_threads')
          .select('id')
          .where('tip_hash', '=', tipHash)
          .executeTakeFirst();
        if (holder !== undefined) return false;
        const result = await trx
          .updateTable('conversation_threads')
          .set({ tip_hash: tipHash })
          .where('id', '=', rowId)
          .where('tip_hash', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
    },

    async recordTurn(input) {
      const accountId = input.thread.accountId ?? NO_ACCOUNT;
      const now = input.now.getTime();
      const deleteAfter = input.deleteAfter.getTime();
      await db.transaction().execute(async (trx) => {
        // One transcript, one live thread: a regenerated answer identical to an earlier one
        // (deterministic models) takes the hash over from the older thread.
        if (input.tipHash !== undefined) {
          await trx
            .updateTable('conversation_threads')
            .set({ tip_hash: null })
            .where('tip_hash', '=', input.tipHash)
            .execute();
        }
        if (input.conversationName !== undefined) {
          await trx
            .updateTable('conversation_threads')
            .set({ conversation_name: null })
            .where('key_id', '=', input.scope.keyId)
            .where('site_id', '=', input.scope.siteId)
            .where('model', '=', input.scope.model)
            .where('conversation_name', '=', input.conversationName)
            .execute();
        }
        const existing = await trx
          .selectFrom('conversation_threads')
          .select(['id', 'key_id', 'model', 'conversation_name'])
          .where('site_id', '=', input.thread.siteId)
          .where('account_id', '=', accountId)
          .where('thread_id', '=', input.thread.threadId)
          .executeTakeFirst();
        if (
          existing !== undefined &&
          existing.key_id === input.scope.keyId &&
          existing.model === input.scope.model
        ) {
          await trx
            .updateTable('conversation_threads')
            .set((eb) => ({
              tip_hash: input.tipHash ?? null,
              conversation_name: input.conversationName ?? existing.conversation_name,
              turns: eb('turns', '+', 1),
              last_used_at: now,
              delete_after: deleteAfter,
            }))
            .where('id', '=', existing.id)
            .execute();
          return;
        }
        // A thread id the site hands out again (after a deletion) starts a fresh mapping: the
        // old owner's row must not survive and point into someone else's thread.
        if (existing !== undefined) {
          await trx.deleteFrom('conversation_threads').where('id', '=', existing.id).execute();
        }
        await trx
          .insertInto('conversation_threads')
          .values({
            id: randomUUID(),
            key_id: input.scope.keyId,
            site_id: input.thread.siteId,
            account_id: accountId,
            model: input.scope.model,
            thread_id: input.thread.threadId,
            conversation_name: input.conversationName ?? null,
            tip_hash: input.tipHash ?? null,
            turns: 1,
            created_at: now,
            last_used_at: now,
            delete_after: deleteAfter,
          })
          .execute();
      });
    },

    async forget(thread) {
      const result = await db
        .deleteFrom('conversation_threads')
        .where('site_id', '=', thread.siteId)
        .where('account_id', '=', thread.accountId ?? NO_ACCOUNT)
        .where('thread_id', '=', thread.threadId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async listDue(now, limit) {
      const rows = await db
        .selectFrom('conversation_threads')
        .selectAll()
        .where('delete_after', '<=', now.getTime())
        .orderBy('delete_after')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },

    async remove(rowId) {
      await db.deleteFrom('conversation_threads').where('id', '=', rowId).execute();
    },

    async leaseForDeletion(rowId, now, retryAt) {
      const result = await db
        .updateTable('conversation_threads')
        .set({ tip_hash: null, conversation_name: null, delete_after: retryAt.getTime() })
        .where('id', '=', rowId)
        .where('delete_after', '<=', now.getTime())
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

function toRecord(row: Selectable<ConversationThreadsTable>): ThreadRecord {
  const record: ThreadRecord = {
    rowId: row.id,
    keyId: row.key_id,
    siteId: row.site_id,
    model: row.model,
    threadId: row.thread_id,
    turns: Number(row.turns),
    createdAt: new Date(Number(row.created_at)),
    lastUsedAt: new Date(Number(row.last_used_at)),
    deleteAfter: new Date(Number(row.delete_after)),
  };
  if (row.account_id !== NO_ACCOUNT) record.accountId = row.account_id;
  if (row.conversation_name !== null) record.conversationName = row.conversation_name;
  if (row.tip_hash !== null) record.tipHash = row.tip_hash;
  return record;
}
