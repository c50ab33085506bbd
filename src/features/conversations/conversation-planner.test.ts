import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../../core/chat-request.ts';
import { GatewayError } from '../../core/errors.ts';
import { openStore, type Store } from '../../store/open-store.ts';
import { createConversationRepository } from './conversation-repository.ts';
import {
  type ConversationPlan,
  type ConversationScope,
  type Conversations,
  createConversations,
} from './conversation-planner.ts';

type Request = Pick<ChatRequest, 'system' | 'tools' | 'messages'>;

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ChatMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });
const scopeA: ConversationScope = { keyId: 'key-a', siteId: 'demo', model: 'fast' };
const scopeB: ConversationScope = { ...scopeA, keyId: 'key-b' };
const tool: ToolDefinition = { name: 'weather', kind: 'function', parameters: { type: 'object' } };

/** A fake site with threads: records what each thread received, answers deterministically. */
class FakeSite {
  threads = new Map<string, string[]>();
  private next = 1;

  send(plan: ConversationPlan): { threadId: string; answer: ChatMessage } {
    const sent = plan.mode === 'continue' ? plan.newMessages : plan.messages;
    const last = sent[sent.length - 1];
    const text = last?.content[0]?.type === 'text' ? last.content[0].text : '';
    let threadId: string;
    if (plan.mode === 'continue') {
      threadId = plan.threadId;
      this.threads.get(threadId)?.push(text);
    } else {
      threadId = `t${this.next++}`;
      this.threads.set(threadId, [text]);
    }
    return { threadId, answer: assistant(`echo: ${text}`) };
  }
}

/** Plays one complete turn the way the pipeline will: plan, send, record on success. */
async function turn(
  conversations: Conversations,
  site: FakeSite,
  scope: ConversationScope,
  request: Request,
  options: { conversationId?: string; completes?: boolean } = {},
): Promise<{ plan: ConversationPlan; threadId: string; answer: ChatMessage }> {
  const planInput = { request, scope, site: { threads: true } };
  const plan = await conversations.plan(
    options.conversationId === undefined
      ? planInput
      : { ...planInput, conversationId: options.conversationId },
  );
  const { threadId, answer } = site.send(plan);
  if (options.completes !== false) {
    const completed = { scope, request, answer, thread: { siteId: scope.siteId, threadId } };
    await conversations.recordCompletedTurn(
      options.conversationId === undefined
        ? completed
        : { ...completed, conversationId: options.conversationId },
    );
  }
  return { plan, threadId, answer };
}

describe('conversation planner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wcg-conv-'));
  let store: Store;
  let conversations: Conversations;
  let site: FakeSite;
  let clock = new Date('2025-01-01T00:00:00Z');

  beforeEach(async () => {
    await store?.close();
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    clock = new Date('2025-01-01T00:00:00Z');
    conversations = createConversations({
      repository: createConversationRepository(store.db),
      now: () => clock,
    });
    site = new FakeSite();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a 20-turn conversation sends only the new turn each time, into one thread', async () => {
    const messages: ChatMessage[] = [];
    let firstThread = '';
    for (let i = 1; i <= 20; i++) {
      messages.push(user(`question ${i}`));
      const { plan, threadId, answer } = await turn(conversations, site, scopeA, {
        system: 'S',
        tools: [],
        messages,
      });
      if (i === 1) {
        assert.equal(plan.mode, 'new');
        firstThread = threadId;
      } else {
        assert.equal(plan.mode, 'continue', `turn ${i}`);
        assert.ok(plan.mode === 'continue');
        assert.deepEqual(plan.newMessages, [user(`question ${i}`)]);
      }
      assert.equal(threadId, firstThread);
      messages.push(answer);
    }
    assert.equal(site.threads.size, 1);
    assert.equal(site.threads.get(firstThread)?.length, 20);
  });

  async function threeTurns(scope = scopeA, request: Partial<Request> = {}): Promise<ChatMessage[]> {
    const messages: ChatMessage[] = [];
    for (let i = 1; i <= 3; i++) {
      messages.push(user(`q${i}`));
      const { answer } = await turn(conversations, site, scope, {
        system: 'S',
        tools: [tool],
        messages,
        ...request,
      });
      messages.push(answer);
    }
    return messages;
  }

  test('an edited middle turn opens a new thread with the whole history', async () => {
    const history = await threeTurns();
    const edited = [...history];
    edited[2] = user('q2 edited');
    const request = { system: 'S', tools: [tool], messages: [...edited, user('q4')] };
    const plan = await conversations.plan({ request, scope: scopeA, site: { threads: true } });
    assert.deepEqual(plan, { mode: 'new', messages: request.messages, reason: 'no-match' });
  });

  test('regenerating the last answer (same history resent) opens a new thread', async () => {
    const history = await threeTurns();
    const request = { system: 'S', tools: [tool], messages: history.slice(0, -1) };
    const plan = await conversations.plan({ request, scope: scopeA, site: { threads: true } });
    assert.equal(plan.mode, 'new');
  });

  test('a regenerate followed by a continuation continues the regenerated thread', async () => {
    const history = await threeTurns();
    const regenerated = await turn(conversations, site, scopeA, {
      system: 'S',
      tools: [tool],
      messages: history.slice(0, -1),
    });
    assert.equal(regenerated.plan.mode, 'new');
    const next = await turn(conversations, site, scopeA, {
      system: 'S',
      tools: [tool],
      messages: [...history.slice(0, -1), regenerated.answer, user('q4')],
    });
    assert.equal(next.plan.mode, 'continue');
    assert.equal(next.threadId, regenerated.threadId);
  });

  test('a changed system prompt opens a new thread', async () => {
    const history = await threeTurns();
    const request = { system: 'Other', tools: [tool], messages: [...history, user('q4')] };
    assert.equal((await conversations.plan({ request, scope: scopeA, site: { threads: true } })).mode, 'new');
  });

  test('changed tools open a new thread', async () => {
    const history = await threeTurns();
    const request = { system: 'S', tools: [], messages: [...history, user('q4')] };
    assert.equal((await conversations.plan({ request, scope: scopeA, site: { threads: true } })).mode, 'new');
  });

  test('two keys with identical histories never share a thread', async () => {
    const historyA = await threeTurns(scopeA);
    // Key B replays key A's exact transcript: it must not land in A's thread.
    const planB = await conversations.plan({
      request: { system: 'S', tools: [tool], messages: [...historyA, user('q4')] },
      scope: scopeB,
      site: { threads: true },
    });
    assert.equal(planB.mode, 'new');
    const historyB = await threeTurns(scopeB);
    assert.deepEqual(historyA, historyB);
    const a = await turn(conversations, site, scopeA, {
      system: 'S',
      tools: [tool],
      messages: [...historyA, user('q4')],
    });
    const b = await turn(conversations, site, scopeB, {
      system: 'S',
      tools: [tool],
      messages: [...historyB, user('q4')],
    });
    assert.equal(a.plan.mode, 'continue');
    assert.equal(b.plan.mode, 'continue');
    assert.notEqual(a.threadId, b.threadId);
  });

  test('the explicit conversation header pins a named thread, scoped to the key', async () => {
    const first = await turn(
      conversations,
      site,
      scopeA,
      { tools: [], messages: [user('remember 7')] },
      {
        conversationId: 'project-x',
      },
    );
    assert.deepEqual(first.plan.mode, 'new');
    const second = await turn(
      conversations,
      site,
      scopeA,
      { tools: [], messages: [user('what number?')] },
      {
        conversationId: 'project-x',
      },
    );
    assert.equal(second.plan.mode, 'continue');
    assert.equal(second.threadId, first.threadId);
    assert.ok(second.plan.mode === 'continue');
    assert.deepEqual(second.plan.newMessages, [user('what number?')]);

    const other = await turn(
      conversations,
      site,
      scopeB,
      { tools: [], messages: [user('what number?')] },
      {
        conversationId: 'project-x',
      },
    );
    assert.equal(other.plan.mode, 'new');
    assert.notEqual(other.threadId, first.threadId);
    // And key A's thread is still A's.
    const again = await conversations.plan({
      request: { tools: [], messages: [user('again')] },
      scope: scopeA,
      site: { threads: true },
      conversationId: 'project-x',
    });
    assert.ok(again.mode === 'continue' && again.threadId === first.threadId);
  });

  test('a named thread is never reached by a transcript hash', async () => {
    const named = await turn(
      conversations,
      site,
      scopeA,
      { tools: [], messages: [user('remember 7')] },
      {
        conversationId: 'memo',
      },
    );
    const plan = await conversations.plan({
      request: { tools: [], messages: [user('remember 7'), named.answer, user('what number?')] },
      scope: scopeA,
      site: { threads: true },
    });
    assert.equal(plan.mode, 'new');
  });

  test('a bad conversation id is a 400', async () => {
    await assert.rejects(
      conversations.plan({
        request: { tools: [], messages: [user('x')] },
        scope: scopeA,
        site: { threads: true },
        conversationId: 'a\nb',
      }),
      (error: unknown) => error instanceof GatewayError && error.kind === 'invalid_request',
    );
  });

  test('an aborted turn records nothing and a retry goes to a new thread', async () => {
    const history = await threeTurns();
    const request = { system: 'S', tools: [tool], messages: [...history, user('q4')] };
    const aborted = await turn(conversations, site, scopeA, request, { completes: false });
    assert.equal(aborted.plan.mode, 'continue');
    // The site may hold a half answer in that thread now, so the retry must not reuse it.
    const retry = await turn(conversations, site, scopeA, request);
    assert.equal(retry.plan.mode, 'new');
    assert.notEqual(retry.threadId, aborted.threadId);
    const next = await turn(conversations, site, scopeA, {
      ...request,
      messages: [...request.messages, retry.answer, user('q5')],
    });
    assert.ok(next.plan.mode === 'continue' && next.threadId === retry.threadId);
  });

  test('an aborted first turn records nothing', async () => {
    const request = { tools: [], messages: [user('q1')] };
    const aborted = await turn(conversations, site, scopeA, request, { completes: false });
    const plan = await conversations.plan({
      request: { tools: [], messages: [user('q1'), aborted.answer, user('q2')] },
      scope: scopeA,
      site: { threads: true },
    });
    assert.equal(plan.mode, 'new');
  });

  test('concurrent requests on one history: the second gets a new thread; release gives it back', async () => {
    const history = await threeTurns();
    const input = {
      request: { system: 'S', tools: [tool], messages: [...history, user('q4')] },
      scope: scopeA,
      site: { threads: true },
    };
    const first = await conversations.plan(input);
    const second = await conversations.plan(input);
    assert.equal(first.mode, 'continue');
    // The first request holds the thread's tip while its turn is in flight.
    assert.equal(second.mode, 'new');
    await conversations.release(first);
    assert.equal((await conversations.plan(input)).mode, 'continue');
  });

  test('a forgotten thread (lost by the site) falls back to a new thread', async () => {
    const history = await threeTurns();
    const input = {
      request: { system: 'S', tools: [tool], messages: [...history, user('q4')] },
      scope: scopeA,
      site: { threads: true },
    };
    const plan = await conversations.plan(input);
    assert.ok(plan.mode === 'continue');
    await conversations.forgetThread(plan.thread);
    assert.equal((await conversations.plan(input)).mode, 'new');
  });

  test('threads past their retention are not continued', async () => {
    const history = await threeTurns();
    clock = new Date(clock.getTime() + 25 * 3600 * 1000);
    const plan = await conversations.plan({
      request: { system: 'S', tools: [tool], messages: [...history, user('q4')] },
      scope: scopeA,
      site: { threads: true },
    });
    assert.equal(plan.mode, 'new');
  });

  test('sites without threads always get the whole history', async () => {
    const plan = await conversations.plan({
      request: { tools: [], messages: [user('a'), assistant('b'), user('c')] },
      scope: scopeA,
      site: { threads: false },
    });
    assert.deepEqual(plan.mode === 'new' && plan.reason, 'site-without-threads');
  });

  test('the mapping survives reopening the SQLite file', async () => {
    const path = join(dir, 'gateway.sqlite');
    const fileStore = await openStore({ kind: 'sqlite', path });
    const before = createConversations({ repository: createConversationRepository(fileStore.db) });
    const first = await turn(before, site, scopeA, { tools: [], messages: [user('q1')] });
    await fileStore.close();

    const reopened = await openStore({ kind: 'sqlite', path });
    const after = createConversations({ repository: createConversationRepository(reopened.db) });
    const next = await turn(after, site, scopeA, {
      tools: [],
      messages: [user('q1'), first.answer, user('q2')],
    });
    assert.ok(next.plan.mode === 'continue' && next.threadId === first.threadId);
    await reopened.close();
  });
});
