import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCdpInput, ViewerMessage } from './viewer-input.ts';

const viewport = { width: 1280, height: 800 };
const input = (raw: unknown) => toCdpInput(ViewerMessage.parse(raw), viewport);

test('a click becomes a trusted mouse press at clamped page coordinates', () => {
  assert.deepEqual(input({ type: 'mouse', action: 'down', x: 2000, y: -5, button: 'left', clickCount: 1 }), {
    method: 'Input.dispatchMouseEvent',
    params: { type: 'mousePressed', x: 1279, y: 0, button: 'left', clickCount: 1, modifiers: 0 },
  });
});

test('a character key types its text; Enter submits; Ctrl+A is a shortcut, not text', () => {
  assert.deepEqual(input({ type: 'key', action: 'down', key: 'd', code: 'KeyD' }), {
    method: 'Input.dispatchKeyEvent',
    params: {
      type: 'keyDown',
      key: 'd',
      code: 'KeyD',
      modifiers: 0,
      windowsVirtualKeyCode: 68,
      text: 'd',
      unmodifiedText: 'd',
    },
  });
  const enter = input({ type: 'key', action: 'down', key: 'Enter', code: 'Enter' });
  assert.equal(enter?.method === 'Input.dispatchKeyEvent' && enter.params.text, '\r');
  const selectAll = input({ type: 'key', action: 'down', key: 'a', code: 'KeyA', modifiers: 2 });
  assert.equal(selectAll?.method === 'Input.dispatchKeyEvent' && selectAll.params.type, 'rawKeyDown');
});

test('unknown or oversized messages are rejected', () => {
  assert.equal(ViewerMessage.safeParse({ type: 'eval', code: 'x' }).success, false);
  assert.equal(ViewerMessage.safeParse({ type: 'text', text: 'x'.repeat(20_000) }).success, false);
  assert.equal(input({ type: 'done' }), undefined);
});
