import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ChatMessage } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import { openStore, type Store } from '../../store/open-store.ts';
import { type Conversations, createConversations } from './conversation-planner.ts';
import { type ConversationRepository, createConversationRepository } from './conversation-repository.ts';
import { type SweepResult, startThreadSweeper, sweepExpiredThreads } from './thread-hygiene.ts';

const HOUR = 3600 * 1000;
const scope = { keyId: 'key-a', siteId: 'demo', model: 'fast' };
const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });

/** Polls rather than sleeping a fixed time: the test machine may be busy. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('thread hygiene', () => {
  let store: Store;
  let repository: ConversationRepository;
  let conversations: Conversations;
  let clock: Date;
  const t0 = new Date('2025-01-01T00:00:00Z');
  const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    repository = createConversationRepository(store.db);
    clock = t0;
    conversations = createConversations({ repository, now: () => clock });
  });
  afterEach(() => store.close());

  /** Records a one-turn conversation `n` in thread `t<n>`, used at the current clock. */
  async function record(n: number): Promise<ChatMessage[]> {
    const messages = [user(`q${n}`)];
    const answer = assistant(`a${n}`);
    await conversations.recordCompletedTurn({
      scope,
      request: { tools: [], messages },
      answer,
      thread: { siteId: 'demo', threadId: `t${n}` },
    });
    return [...messages, answer, user('next')];
  }

  const planFor = (messages: ChatMessage[]) =>
    conversations.plan({ request: { tools: [], messages }, scope, site: { threads: true } });

  test('deletes threads 24 h after last use on the site and removes their mapping', async () => {
    const old = await record(1);
    clock = at(10);
    const recent = await record(2);
    const deleted: string[] = [];
    const result = await sweepExpiredThreads({
      repository,
      now: at(25),
      deleteThread: async (siteId, threadId) => {
        deleted.push(`${siteId}/${threadId}`);
      },
    });
    assert.deepEqual(result, { deleted: 1, failed: 0 });
    assert.deepEqual(deleted, ['demo/t1']);
    clock = at(25);
    assert.equal((await planFor(old)).mode, 'new');
    assert.equal((await planFor(recent)).mode, 'continue');
  });

  test('a thread continued before expiry is kept', async () => {
    const history = await record(1);
    clock = at(23);
    const plan = await planFor(history);
    assert.equal(plan.mode, 'continue');
    const result = await sweepExpiredThreads({ repository, now: at(25), deleteThread: async () => {} });
    assert.deepEqual(result, { deleted: 0, failed: 0 });
  });

  test('a thread the site already lost counts as deleted', async () => {
    await record(1);
    const result = await sweepExpiredThreads({
      repository,
      now: at(25),
      deleteThread: async () => {
        throw new GatewayError('not_found', 'no such thread');
      },
    });
    assert.deepEqual(result, { deleted: 1, failed: 0 });
    assert.deepEqual(await repository.listDue(at(1000), 10), []);
  });

  test('a failed deletion is retried later and the thread is no longer continued', async () => {
    const history = await record(1);
    let attempts = 0;
    const flaky = async () => {
      attempts++;
      if (attempts === 1) throw new GatewayError('upstream', 'site down');
    };
    assert.deepEqual(await sweepExpiredThreads({ repository, now: at(25), deleteThread: flaky }), {
      deleted: 0,
      failed: 1,
    });
    clock = at(25);
    assert.equal((await planFor(history)).mode, 'new');
    // Not due again before the retry delay…
    assert.deepEqual(await sweepExpiredThreads({ repository, now: at(25.5), deleteThread: flaky }), {
      deleted: 0,
      failed: 0,
    });
    // …then deleted.
    assert.deepEqual(await sweepExpiredThreads({ repository, now: at(26), deleteThread: flaky }), {
      deleted: 1,
      failed: 0,
    });
    assert.equal(attempts, 2);
  });

  test('sweeps in batches until nothing is due', async () => {
    for (let n = 1; n <= 7; n++) await record(n);
    const deleted: string[] = [];
    const result = await sweepExpiredThreads({
      repository,
      now: at(25),
      batchSize: 2,
      deleteThread: async (_siteId, threadId) => {
        deleted.push(threadId);
      },
    });
    assert.equal(result.deleted, 7);
    assert.deepEqual(deleted.sort(), ['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
  });

  test('the sweeper runs, reports and stops', async () => {
    await record(1);
    const results: SweepResult[] = [];
    const stop = startThreadSweeper(10, {
      repository,
      now: () => at(25),
      deleteThread: async () => {},
      onSweep: (result) => results.push(result),
    });
    await until(() => results.length >= 2);
    await stop();
    const count = results.length;
    assert.ok(count >= 2, `ran ${count} times`);
    assert.deepEqual(results[0], { deleted: 1, failed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(results.length, count);
  });

  test('the sweeper reports failures instead of throwing', async () => {
    const errors: unknown[] = [];
    const broken: ConversationRepository = {
      ...repository,
      listDue: async () => {
        throw new Error('database is locked');
      },
    };
    const stop = startThreadSweeper(5, {
      repository: broken,
      deleteThread: async () => {},
      onError: (error) => {
        errors.push(error);
        throw new Error('the reporter fails too');
      },
    });
    await until(() => errors.length >= 2);
    await stop();
  });
});
