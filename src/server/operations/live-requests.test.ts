import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServedBy } from '../../core/served-by.ts';
import { LiveRequests } from './live-requests.ts';

const entry = (requestId: string) => ({
  requestId,
  userId: 'usr_a',
  keyId: 'key_a',
  model: 'demo/fast-1',
  dialect: 'openai',
  stream: true,
});

test('tracks, counts output, shows the served-by record as it fills in, and forgets on done', () => {
  const live = new LiveRequests();
  const served: ServedBy = {};
  const handle = live.track(entry('req_1'), () => {}, served);
  handle.noteOutput(5);
  handle.noteOutput(7);
  served.siteId = 'demo';
  served.accountId = 'one';
  const [view] = live.list();
  assert.equal(live.size, 1);
  assert.deepEqual(
    { ...view, started_at: typeof view?.started_at, elapsed_ms: typeof view?.elapsed_ms },
    {
      request_id: 'req_1',
      user_id: 'usr_a',
      key_id: 'key_a',
      model: 'demo/fast-1',
      dialect: 'openai',
      stream: true,
      site_id: 'demo',
      account_id: 'one',
      started_at: 'string',
      elapsed_ms: 'number',
      output_chars: 12,
    },
  );
  handle.done();
  handle.done();
  assert.deepEqual(live.list(), []);
  assert.equal(live.size, 0);
});

test('cancel aborts with a reason the client can read, once per running request', () => {
  const live = new LiveRequests();
  const reasons: Error[] = [];
  const handle = live.track(entry('req_2'), (reason) => reasons.push(reason));
  assert.equal(live.cancel('req_2'), true);
  assert.match(reasons[0]?.message ?? '', /cancelled by the gateway admin/);
  assert.equal(live.cancel('req_nope'), false);
  handle.done();
  assert.equal(live.cancel('req_2'), false);
});

test('a reused request id lists the newer request; the older one finishing does not remove it', () => {
  const live = new LiveRequests();
  const older = live.track(entry('req_same'), () => {});
  const newer = live.track({ ...entry('req_same'), model: 'demo/text-1' }, () => {});
  older.done();
  assert.deepEqual(
    live.list().map((view) => view.model),
    ['demo/text-1'],
  );
  newer.done();
  assert.equal(live.size, 0);
});
