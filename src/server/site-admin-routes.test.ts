import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../core/errors.ts';
import { runSiteSetup } from './site-admin-routes.ts';

describe('runSiteSetup', () => {
  let runs = 0;
  const sites = new Map([
    ['recipe', { id: 'recipe', runSetup: async () => void runs++ }],
    ['plain', { id: 'plain' }],
  ]);
  const signal = AbortSignal.timeout(1000);

  test('runs a recipe site’s setup each time it is asked', async () => {
    assert.deepEqual(await runSiteSetup(sites, 'recipe', signal), {
      id: 'recipe',
      object: 'site.setup',
      ran: true,
    });
    await runSiteSetup(sites, 'recipe', signal);
    assert.equal(runs, 2);
  });

  test('404 for an unknown site, 400 for a site without setup steps', async () => {
    await assert.rejects(
      runSiteSetup(sites, 'nope', signal),
      (e: unknown) => e instanceof GatewayError && e.status === 404,
    );
    await assert.rejects(
      runSiteSetup(sites, 'plain', signal),
      (e: unknown) => e instanceof GatewayError && e.status === 400,
    );
  });
});
