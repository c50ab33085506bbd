import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textDelta } from './text-delta.ts';

test('growth is emitted as the new suffix', () => {
  assert.deepEqual(textDelta('', 'Hel'), { delta: 'Hel', diverged: false });
  assert.deepEqual(textDelta('Hel', 'Hello'), { delta: 'lo', diverged: false });
  assert.deepEqual(textDelta('Hello', 'Hello'), { delta: '', diverged: false });
});

test('a rewrite is flagged and only the growth beyond the old length goes out', () => {
  assert.deepEqual(textDelta('**bo', 'bold'), { delta: '', diverged: true });
  assert.deepEqual(textDelta('**bo', 'bold text'), { delta: ' text', diverged: true });
});
