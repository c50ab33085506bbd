import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Candidate, orderCandidates } from './select-account.ts';

const candidate = (id: string, inFlight = 0, free = 1, weight = 1): Candidate => ({
  id,
  inFlight,
  free,
  weight,
});
const ids = (list: Candidate[]) => list.map((entry) => entry.id);

test('round-robin rotates the start among accounts with a free slot', () => {
  const list = [candidate('a'), candidate('b'), candidate('c')];
  assert.deepEqual(
    [0, 1, 2, 3].map((turn) => orderCandidates(list, 'round-robin', turn)[0]?.id),
    ['a', 'b', 'c', 'a'],
  );
});

test('accounts without a free slot come last (failover order only)', () => {
  const list = [candidate('a', 2, 0), candidate('b'), candidate('c')];
  assert.deepEqual(ids(orderCandidates(list, 'round-robin', 0)), ['b', 'c', 'a']);
});

test('least-busy prefers the fewest running generations; ties take turns', () => {
  const list = [candidate('a', 3, 5), candidate('b', 1, 5), candidate('c', 1, 5)];
  assert.deepEqual(ids(orderCandidates(list, 'least-busy', 0)), ['b', 'c', 'a']);
  assert.deepEqual(ids(orderCandidates(list, 'least-busy', 2)), ['c', 'b', 'a']);
  const idle = [candidate('a'), candidate('b'), candidate('c')];
  assert.deepEqual(
    [0, 1, 2, 3].map((turn) => orderCandidates(idle, 'least-busy', turn)[0]?.id),
    ['a', 'b', 'c', 'a'],
  );
});

test('weighted picks in proportion to the weights', () => {
  const list = [candidate('heavy', 0, 1, 3), candidate('light', 0, 1, 1)];
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let heavy = 0;
  for (let turn = 0; turn < 4000; turn++) {
    if (orderCandidates(list, 'weighted', turn, random)[0]?.id === 'heavy') heavy++;
  }
  assert.ok(heavy > 2800 && heavy < 3200, `heavy first ${heavy} of 4000 (expected ~3000)`);
});
