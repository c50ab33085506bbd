import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CumulativeText, cumulativeToDelta } from './cumulative-to-delta.ts';

describe('cumulativeToDelta', () => {
  const cases: Array<[string, string, string, string, string]> = [
    // name, emitted, snapshot, delta, kind
    ['first frame', '', 'Hel', 'Hel', 'append'],
    ['growing text', 'Hel', 'Hello', 'lo', 'append'],
    ['repeated frame', 'Hello', 'Hello', '', 'repeat'],
    ['empty snapshot before anything', '', '', '', 'repeat'],
    ['out-of-order older frame', 'Hello wor', 'Hello', '', 'stale'],
    ['text shrinking (site trimmed trailing space)', 'Hello ', 'Hello', '', 'stale'],
    ['rewrite, longer: only past the emitted length', 'Hello wor', 'Hello, world!', 'rld!', 'rewrite'],
    ['rewrite, not longer: nothing', 'Hello world', 'Hi world', '', 'rewrite'],
    ['multi-byte characters appended', 'a', 'a😀b', '😀b', 'append'],
  ];
  for (const [name, emitted, snapshot, delta, kind] of cases) {
    test(name, () => {
      const step = cumulativeToDelta(emitted, snapshot);
      assert.equal(step.delta, delta);
      assert.equal(step.kind, kind);
    });
  }

  test('a rewrite never starts a delta inside a surrogate pair', () => {
    // emitted length 2 lands between the halves of 😀 in the snapshot.
    const step = cumulativeToDelta('xy', 'a😀bc');
    assert.equal(step.kind, 'rewrite');
    assert.equal(step.delta, 'bc');
  });
});

describe('CumulativeText', () => {
  test('a realistic frame sequence: growth, a repeat, a late frame, a rewrite, the final text', () => {
    const text = new CumulativeText();
    const deltas = [
      'The',
      'The answer',
      'The answer',
      'The',
      'The answer is',
      'The Answer is 42',
      'The Answer is 42.',
    ].map((snapshot) => text.next(snapshot));
    assert.deepEqual(deltas, ['The', ' answer', '', '', ' is', ' 42', '.']);
    assert.equal(text.emitted, 'The answer is 42.');
    assert.equal(text.rewrites, 2, 'the capitalised snapshots diverged');
  });

  test('deltas joined never duplicate text, whatever the order of frames', () => {
    const final = 'one two three four five';
    const frames = ['one', 'one two three', 'one two', 'one two three four', final, 'one two three four'];
    const text = new CumulativeText();
    const joined = frames.map((f) => text.next(f)).join('');
    assert.equal(joined, final);
  });
});
