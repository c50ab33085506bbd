import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paceReadyAt, recordStart } from './account-pace.ts';

test('no pace: always ready', () => {
  assert.equal(paceReadyAt([1, 2, 3], {}, 10), 0);
});

test('minSpacingMs: the next start waits for the spacing after the last one', () => {
  assert.equal(paceReadyAt([], { minSpacingMs: 500 }, 1000), 0);
  assert.equal(paceReadyAt([1000], { minSpacingMs: 500 }, 1200), 1500);
  assert.equal(paceReadyAt([1000], { minSpacingMs: 500 }, 1600), 1500, 'past the spacing: ready');
});

test('rpm: a full window frees a place when its oldest counted start is a minute old', () => {
  const starts = [0, 10_000, 20_000];
  assert.equal(paceReadyAt(starts, { rpm: 3 }, 30_000), 60_000);
  assert.equal(paceReadyAt(starts, { rpm: 4 }, 30_000), 0, 'room left in the window');
  assert.equal(paceReadyAt(starts, { rpm: 2 }, 30_000), 70_000, 'two over: the second oldest must leave');
  assert.equal(paceReadyAt(starts, { rpm: 3 }, 60_001), 0, 'the oldest left the window');
  assert.equal(paceReadyAt(starts, { rpm: 3, minSpacingMs: 45_000 }, 30_000), 65_000, 'the later of both');
});

test('recordStart keeps the last minute and always the last start', () => {
  const starts: number[] = [];
  for (const at of [0, 30_000, 59_000, 61_000]) recordStart(starts, at);
  assert.deepEqual(starts, [30_000, 59_000, 61_000]);
  recordStart(starts, 500_000);
  assert.deepEqual(starts, [500_000]);
});
