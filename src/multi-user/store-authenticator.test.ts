import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from '../../test/support/store-engines.ts';
import { ApiKeyRegistry } from '../auth/api-key-registry.ts';
import { GatewayError } from '../core/errors.ts';
import { openStore } from '../store/open-store.ts';
import { hashApiKey } from './api-key-secret.ts';
import { createStoreAuthenticator, modelAllowed } from './store-authenticator.ts';
import { createUsersRepository, DuplicateNameError } from './users-repository.ts';

describeEachStore('users, keys and the store authenticator', (engine) => {
  test('keys are stored hashed; revoke, expiry, pause and owner keys behave', async () => {
    const store = await openStore(await engine.fresh());
    try {
      const users = createUsersRepository(store.db);
      const alice = await users.createUser('admin', 'alice', 1000);
      await assert.rejects(users.createUser('admin', 'alice', null), DuplicateNameError);
      const created = await users.createKey('admin', alice.id, { name: 'laptop', models: ['demo/*'] });
      assert.match(created.key, /^wcg-[A-Za-z0-9_-]{27,}$/);
      const stored = await store.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
      assert.equal(stored.key_hash, hashApiKey(created.key));
      const everything = JSON.stringify([
        await store.db.selectFrom('api_keys').selectAll().execute(),
        await store.db.selectFrom('audit_log').selectAll().execute(),
      ]);
      assert.ok(!everything.includes(created.key), 'the key itself is never stored');

      const auth = createStoreAuthenticator(
        new ApiKeyRegistry([{ key: 'owner-secret', user: 'owner', name: 'cfg' }]),
        users,
      );
      assert.equal((await auth.authenticate('owner-secret'))?.userId, 'owner');
      assert.equal(await auth.authenticate('wcg-unknown'), undefined);
      const principal = await auth.authenticate(created.key);
      assert.equal(principal?.userId, alice.id);
      assert.deepEqual(principal?.models, ['demo/*']);

      await users.updateUser('admin', alice.id, { status: 'paused' });
      auth.invalidate();
      await assert.rejects(
        auth.authenticate(created.key),
        (e) => e instanceof GatewayError && e.status === 403,
      );
      await users.updateUser('admin', alice.id, { status: 'active' });
      await users.revokeKey('admin', created.id);
      auth.invalidate();
      await assert.rejects(
        auth.authenticate(created.key),
        (e) => e instanceof GatewayError && e.status === 401,
      );

      const expiring = await users.createKey('admin', alice.id, { name: 'old', expiresAt: Date.now() - 1 });
      await assert.rejects(
        auth.authenticate(expiring.key),
        (e) => e instanceof GatewayError && e.status === 401,
      );
      const audit = await store.db.selectFrom('audit_log').select('action').orderBy('at').execute();
      assert.ok(audit.length >= 5);
    } finally {
      await store.close();
    }
  });
});

test('model globs', () => {
  assert.equal(modelAllowed(undefined, 'x'), true);
  assert.equal(modelAllowed(['demo/*'], 'demo/fast-1'), true);
  assert.equal(modelAllowed(['demo/text-?'], 'demo/text-1'), false);
  assert.equal(modelAllowed(['demo/fast-1'], 'other/fast-1'), false);
});
