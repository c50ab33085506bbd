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
