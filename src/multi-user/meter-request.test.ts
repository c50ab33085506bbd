import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatEvent } from '../core/chat-event.ts';
import type { ChatRequest } from '../core/chat-request.ts';
import { GatewayError } from '../core/errors.ts';
import { openStore } from '../store/open-store.ts';
import { meteredEvents, startMetering } from './meter-request.ts';
import { createQuotaLedger } from './quota-ledger.ts';
import type { MultiUserPrincipal } from './store-authenticator.ts';
import { createUsersRepository } from './users-repository.ts';

const chat = {
  model: 'demo/fast-1',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
  tools: [],
  toolChoice: 'auto',
  parallelToolCalls: true,
  maxOutputTokens: 100,
  stop: [],
  stream: true,
} as unknown as ChatRequest;

async function* events(list: ChatEvent[], failAfter = false): AsyncGenerator<ChatEvent> {
  for (const e of list) yield e;
  if (failAfter) throw new GatewayError('upstream', 'site broke');
}

test('finished → usage event charged; error before output → refund; abort → produced text', async () => {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const users = createUsersRepository(store.db);
  const user = await users.createUser('t', 'u', 1_000);
  const deps = { ledger: createQuotaLedger(store.db, { holdMs: 60_000 }), defaultMaxTokens: 50 };
  const principal: MultiUserPrincipal = { userId: user.id, keyId: 'k', keyName: 'k', metered: true };
  const drain = async (source: AsyncIterable<ChatEvent>, id: string, abort = false) => {
    const controller = new AbortController();
    const meter = await startMetering(deps, principal, chat, { requestId: id, dialect: 'openai' });
    assert.ok(meter);
    if (abort) controller.abort();
    try {
      for await (const _ of meteredEvents(source, meter, controller.signal)) {
        /* consume */
      }
    } catch {
      /* the site failure */
    }
  };
  await drain(
    events([
      { type: 'text-delta', text: 'hi' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 3, estimated: false } },
      { type: 'finish', reason: 'stop' },
    ]),
    'ok',
  );
  await drain(events([], true), 'refund');
  await drain(events([{ type: 'text-delta', text: 'partial answer' }]), 'aborted', true);
  const rows = await store.db.selectFrom('usage').selectAll().orderBy('created_at').execute();
  const byId = Object.fromEntries(rows.map((r) => [r.request_id, r]));
  assert.equal(byId.ok?.charged_tokens, 10);
  assert.equal(byId.ok?.completion_measured, 1);
  assert.equal(byId.refund?.charged_tokens, 0);
  assert.equal(byId.refund?.status, 'error');
  assert.ok((byId.aborted?.charged_tokens ?? 0) > 0);
  assert.equal(byId.aborted?.client_aborted, 1);
  const after = await users.getUser(user.id);
  assert.equal(
    after?.used_tokens,
    rows.reduce((s, r) => s + r.charged_tokens, 0),
  );
  assert.equal(after?.reserved_tokens, 0);

  // Model allow-list and an exhausted quota refuse before anything is reserved.
  await assert.rejects(
    startMetering(deps, { ...principal, models: ['other/*'] }, chat, { requestId: 'x', dialect: 'openai' }),
    (e) => e instanceof GatewayError && e.status === 403,
  );
  await users.updateUser('t', user.id, { token_quota: 20 });
  await assert.rejects(
    startMetering(deps, principal, chat, { requestId: 'y', dialect: 'openai' }),
    (e) => e instanceof GatewayError && e.kind === 'insufficient_quota' && e.status === 429,
  );
  await store.close();
});
