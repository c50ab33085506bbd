import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChromiumNotFoundError, findChromium } from './find-chromium.ts';

describe('findChromium', () => {
  const only = (path: string) => (candidate: string) => candidate === path;

  test('an explicit path wins and must exist', () => {
    assert.equal(findChromium({ configured: '/opt/c', env: {}, isExecutable: only('/opt/c') }), '/opt/c');
    assert.throws(
      () => findChromium({ configured: '/opt/missing', env: {}, isExecutable: only('/usr/bin/chromium') }),
      (error: unknown) => error instanceof ChromiumNotFoundError && /\/opt\/missing/.test(error.message),
    );
  });

  test('CHROME_PATH is used when nothing is configured', () => {
    assert.equal(
      findChromium({ env: { CHROME_PATH: '/x/chrome' }, isExecutable: only('/x/chrome') }),
      '/x/chrome',
    );
  });

  test('falls back to the common install paths in order', () => {
    assert.equal(
      findChromium({ env: {}, isExecutable: only('/usr/bin/google-chrome') }),
      '/usr/bin/google-chrome',
    );
  });

  test('the error names the package to install', () => {
    assert.throws(
      () => findChromium({ env: {}, isExecutable: () => false }),
      (error: unknown) =>
        error instanceof ChromiumNotFoundError && error.message.includes('apt-get install chromium'),
    );
  });
});
