import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkAllows } from './network-policy.ts';

const BASE = 'http://127.0.0.1:4100';

test('network policy: block patterns, an allow list beside the own origin, other schemes untouched', () => {
  assert.equal(networkAllows(undefined, 'https://cdn.example/x.js', BASE), true);
  const block = { block: ['*://*.analytics.example/*', '*/favicon.ico'] };
  assert.equal(networkAllows(block, 'https://www.analytics.example/collect?x=1', BASE), false);
  assert.equal(networkAllows(block, `${BASE}/favicon.ico`, BASE), false);
  assert.equal(networkAllows(block, 'https://cdn.example/x.js', BASE), true);
  const allow = { block: [], allow: ['https://fonts.example/*'] };
  assert.equal(networkAllows(allow, `${BASE}/api/chat`, BASE), true);
  assert.equal(networkAllows(allow, 'https://fonts.example/a.woff2', BASE), true);
  assert.equal(networkAllows(allow, 'https://cdn.example/x.js', BASE), false);
  assert.equal(networkAllows(allow, 'data:image/png;base64,AA==', BASE), true);
  // Dots and other regex characters in patterns are literal.
  assert.equal(networkAllows({ block: ['https://a.b/*'] }, 'https://aXb/y', BASE), true);
});
