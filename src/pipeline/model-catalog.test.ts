import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../core/logger.ts';
import type { Site } from '../site-contract/site.ts';
import { ModelCatalog } from './model-catalog.ts';

test('one caller aborting does not fail the others waiting on the same load', async () => {
  let release: () => void = () => undefined;
  const site = {
    id: 'slow',
    listModels: async (signal?: AbortSignal) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      signal?.throwIfAborted();
      return [{ id: 'm', displayName: 'M', capabilities: {} }];
    },
  } as unknown as Site;
  const catalog = new ModelCatalog([site], {}, createLogger('silent'));
  const first = new AbortController();
  const gone = catalog.list(first.signal);
  const staying = catalog.list(new AbortController().signal);
  first.abort(new Error('client left'));
  await assert.rejects(gone, /client left/);
  release();
  assert.deepEqual(
    (await staying).map((entry) => entry.publicName),
    ['slow/m'],
  );
});
