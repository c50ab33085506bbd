import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBrowserTeardownError } from './browser-teardown-error.ts';

test('only the library failing on a gone page, context or browser counts as teardown noise', () => {
  const cases: Array<[unknown, boolean]> = [
    [new Error('Protocol error (Network.setCacheDisabled): Page crashed.'), true],
    [new Error('Protocol error (Runtime.callFunctionOn): Target closed.'), true],
    [new Error('Protocol error (Page.enable): Session closed. Most likely the page has been closed.'), true],
    [new Error('page.evaluate: Target page, context or browser has been closed'), true],
    [new Error('Protocol error (Network.enable): Invalid parameters'), false],
    [new Error('Cannot read properties of undefined'), false],
    [new TypeError('fetch failed'), false],
    ['Protocol error (Network.setCacheDisabled): Page crashed.', false],
    [undefined, false],
  ];
  for (const [reason, expected] of cases)
    assert.equal(isBrowserTeardownError(reason), expected, String(reason));
});
