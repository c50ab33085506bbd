import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatMessage } from '../core/chat-request.ts';
import { openStore, type Store } from './open-store.ts';
import { createResponsesRepository, type StoredResponse } from './responses-repository.ts';

const messages: ChatMessage[] = [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'what is this?' },
      { type: 'image', data: new Uint8Array([1, 2, 255]), mediaType: 'image/png' },
    ],
  },
];

function response(overrides: Partial<StoredResponse> = {}): StoredResponse {
  return {
    id: 'resp_a',
    keyId: 'key-1',
    model: 'demo/fast',
    createdAt: new Date(1_000),
    expiresAt: new Date(10_000),
    requestMessages: messages,
    output: [{ type: 'message', content: [{ type: 'output_text', text: 'a square' }] }],
    ...overrides,
  };
}

describe('responses repository', () => {
  let store: Store;
  before(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
  });
  after(() => store.close());

  test('round-trips a response, bytes included', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(response());
    const got = await repo.get('resp_a', 'key-1', new Date(2_000));
    assert.deepEqual(got, response());
    const image = got?.requestMessages[0]?.content[1];
    assert.ok(image?.type === 'image' && image.data instanceof Uint8Array);
  });

  test('is scoped to the key and hides expired responses', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(response({ id: 'resp_b' }));
    assert.equal(await repo.get('resp_b', 'key-2', new Date(2_000)), undefined);
    assert.equal(await repo.get('resp_b', 'key-1', new Date(10_000)), undefined);
    assert.equal(await repo.get('resp_missing', 'key-1', new Date(2_000)), undefined);
  });

  test('saving the same id again replaces it', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(response({ id: 'resp_c', output: 'first' }));
    await repo.save(response({ id: 'resp_c', output: 'second' }));
    assert.equal((await repo.get('resp_c', 'key-1', new Date(2_000)))?.output, 'second');
  });

  test('purgeExpired deletes only expired rows', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(response({ id: 'resp_old', expiresAt: new Date(50_000) }));
    await repo.save(response({ id: 'resp_new', expiresAt: new Date(90_000) }));
    const purged = await repo.purgeExpired(new Date(60_000));
    assert.ok(purged >= 1);
    assert.equal(await repo.get('resp_old', 'key-1', new Date(0)), undefined);
    assert.ok(await repo.get('resp_new', 'key-1', new Date(0)));
  });
});

describe('responses repository: items, delete, purge', () => {
  let store: Store;
  before(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
  });
  after(() => store.close());
  const at = new Date(2_000);
  const withItems = (id: string, keyId = 'key-1') =>
    response({
      id,
      keyId,
      response: {
        id,
        object: 'response',
        output: [
          { id: `msg_out_${id}`, type: 'message', role: 'assistant', content: [] },
          { id: `fc_${id}`, type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
          { type: 'no-id-is-skipped' },
        ],
      },
      inputItems: [{ id: `msg_in_${id}`, type: 'message', role: 'user', content: [] }],
    });

  test('input and output items are found by id, for the same key only', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(withItems('resp_1'));
    const found = await repo.items(['msg_out_resp_1', 'fc_resp_1', 'msg_in_resp_1', 'nope'], 'key-1', at);
    assert.deepEqual([...found.keys()].sort(), ['fc_resp_1', 'msg_in_resp_1', 'msg_out_resp_1']);
    assert.equal(found.get('fc_resp_1')?.name, 'f');
    assert.equal((await repo.items(['msg_out_resp_1'], 'key-2', at)).size, 0);
    assert.equal((await repo.items(['msg_out_resp_1'], 'key-1', new Date(10_000))).size, 0);
    const got = await repo.get('resp_1', 'key-1', at);
    assert.equal(got?.response?.id, 'resp_1');
    assert.equal(got?.inputItems?.[0]?.id, 'msg_in_resp_1');
  });

  test('delete takes the response and its items, for the owning key only', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(withItems('resp_2'));
    assert.equal(await repo.delete('resp_2', 'key-2', at), false);
    assert.equal(await repo.delete('resp_2', 'key-1', at), true);
    assert.equal(await repo.delete('resp_2', 'key-1', at), false);
    assert.equal(await repo.get('resp_2', 'key-1', at), undefined);
    assert.equal((await repo.items(['msg_out_resp_2', 'msg_in_resp_2'], 'key-1', at)).size, 0);
  });

  test('purgeExpired removes expired responses and items, keeps live ones', async () => {
    const repo = createResponsesRepository(store.db);
    await repo.save(withItems('resp_old'));
    await repo.save({ ...withItems('resp_new'), expiresAt: new Date(50_000) });
    assert.ok((await repo.purgeExpired(new Date(20_000))) >= 1);
    const rows = await store.db.selectFrom('stored_response_items').select('id').execute();
    assert.ok(
      rows.every((row) => row.id.endsWith('resp_new')),
      JSON.stringify(rows),
    );
    assert.equal((await repo.get('resp_new', 'key-1', new Date(20_000)))?.id, 'resp_new');
  });
});
