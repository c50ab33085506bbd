import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../store/open-store.ts';
import { type ConversationRepository, createConversationRepository } from './conversation-repository.ts';

const scopeA = { keyId: 'key-a', siteId: 'demo', model: 'fast' };
const scopeB = { ...scopeA, keyId: 'key-b' };
const now = new Date(1_000);
const later = new Date(100_000);

describe('conversation repository', () => {
  let store: Store;
  let repo: ConversationRepository;
  before(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    repo = createConversationRepository(store.db);
  });
  after(() => store.close());

  test('records, finds by tip within the scope only, and counts turns', async () => {
    const thread = { siteId: 'demo', threadId: 't1', accountId: 'acct-1' };
    await repo.recordTurn({ scope: scopeA, thread, tipHash: 'h1', now, deleteAfter: later });
    await repo.recordTurn({ scope: scopeA, thread, tipHash: 'h2', now, deleteAfter: later });
    assert.equal(await repo.findByTip(scopeA, 'h1', now), undefined);
    const found = await repo.findByTip(scopeA, 'h2', now);
    assert.equal(found?.threadId, 't1');
    assert.equal(found?.accountId, 'acct-1');
    assert.equal(found?.turns, 2);
    assert.equal(await repo.findByTip(scopeB, 'h2', now), undefined);
    assert.equal(await repo.findByTip({ ...scopeA, model: 'smart' }, 'h2', now), undefined);
    assert.equal(await repo.findByTip(scopeA, 'h2', later), undefined);
  });

  test('a thread id the site hands to another key replaces the old owner', async () => {
    const thread = { siteId: 'demo', threadId: 't9' };
    await repo.recordTurn({ scope: scopeA, thread, tipHash: 'a9', now, deleteAfter: later });
    await repo.recordTurn({ scope: scopeB, thread, tipHash: 'b9', now, deleteAfter: later });
    assert.equal(await repo.findByTip(scopeA, 'a9', now), undefined);
    const found = await repo.findByTip(scopeB, 'b9', now);
    assert.equal(found?.keyId, 'key-b');
    assert.equal(found?.turns, 1);
  });

  test('a name moves to the newest thread; names are per key', async () => {
    await repo.recordTurn({
      scope: scopeA,
      thread: { siteId: 'demo', threadId: 'n1' },
      tipHash: 'n1h',
      conversationName: 'proj',
      now,
      deleteAfter: later,
    });
    await repo.recordTurn({
      scope: scopeA,
      thread: { siteId: 'demo', threadId: 'n2' },
      tipHash: 'n2h',
      conversationName: 'proj',
      now,
      deleteAfter: later,
    });
    assert.equal((await repo.findByName(scopeA, 'proj', now))?.threadId, 'n2');
    assert.equal(await repo.findByName(scopeB, 'proj', now), undefined);
  });

  test('claim and restore a tip', async () => {
    await repo.recordTurn({
      scope: scopeA,
      thread: { siteId: 'demo', threadId: 'c1' },
      tipHash: 'c',
      now,
      deleteAfter: later,
    });
    const row = await repo.findByTip(scopeA, 'c', now);
    assert.ok(row);
    assert.equal(await repo.claimTip(row.rowId, 'c', now, later), true);
    assert.equal(await repo.claimTip(row.rowId, 'c', now, later), false);
    assert.equal(await repo.restoreTip(row.rowId, 'c'), true);
    assert.equal((await repo.findByTip(scopeA, 'c', now))?.rowId, row.rowId);
  });

  test('forget drops the mapping', async () => {
    const thread = { siteId: 'demo', threadId: 'f1' };
    await repo.recordTurn({ scope: scopeA, thread, tipHash: 'f', now, deleteAfter: later });
    assert.equal(await repo.forget(thread), true);
    assert.equal(await repo.findByTip(scopeA, 'f', now), undefined);
    assert.equal(await repo.forget(thread), false);
  });
});
