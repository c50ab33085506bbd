import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsyncQueue } from './async-queue.ts';

test('items pushed before and while reading arrive in order, then the end', async () => {
  const queue = new AsyncQueue<number>();
  queue.push(1);
  setTimeout(() => {
    queue.push(2);
    queue.close();
    queue.push(3);
  }, 5);
  const seen: number[] = [];
  for await (const item of queue) seen.push(item);
  assert.deepEqual(seen, [1, 2]);
});

test('a failure is thrown after the queued items', async () => {
  const queue = new AsyncQueue<string>();
  queue.push('a');
  queue.fail(new Error('broken'));
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const item of queue) seen.push(item);
  }, /broken/);
  assert.deepEqual(seen, ['a']);
});
