import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextDelta, settledText } from './reply-text.ts';

/** Feeds successive screen texts and returns the deltas emitted (the last one is final). */
function stream(screens: string[]): string[] {
  let emitted = '';
  const out: string[] = [];
  screens.forEach((screen, index) => {
    const { delta } = nextDelta(emitted, screen, index === screens.length - 1);
    if (delta) out.push(delta);
    emitted += delta;
  });
  return out;
}

describe('reply text from a re-rendering page', () => {
  test('text after an open markdown marker waits until it closes', () => {
    assert.equal(settledText('Model B says: **PINE'), 'Model B says: ');
    assert.equal(settledText('a `code` and **bold** done'), 'a `code` and **bold** done');
    assert.equal(settledText('x __y'), 'x ');
  });

  test('bold that renders once closed comes out exact', () => {
    // Screens as the page shows them: raw asterisks until the closing pair, then bold (no asterisks).
    const deltas = stream([
      'Model B',
      'Model B says:',
      'Model B says: **PINE',
      'Model B says: PINEAPPLE',
      'Model B says: PINEAPPLE',
    ]);
    assert.equal(deltas.join(''), 'Model B says: PINEAPPLE');
    assert.ok(deltas.length >= 2);
  });

  test('a rewrite of text already sent is flagged and only growth follows', () => {
    assert.deepEqual(nextDelta('abc', 'abd and more', false), { delta: ' and more', rewritten: true });
    assert.deepEqual(nextDelta('abc', 'abcd', false), { delta: 'd', rewritten: false });
  });

  test('the end flushes what was held back', () => {
    assert.deepEqual(nextDelta('see ', 'see **unclosed', true), { delta: '**unclosed', rewritten: false });
  });
});
