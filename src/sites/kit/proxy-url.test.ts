import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskProxyUrl, ProxyUrlSchema } from './proxy-url.ts';

const accepted = [
  'http://127.0.0.1:3128',
  'http://proxy.example.com:8080/',
  'https://user:pass@proxy.example.com:443',
  'socks5://10.0.0.1:1080',
  'socks5://acct-7:p%40ss%3Aword@proxy.example.com:1080',
  'socks5h://proxy.example.com:1080',
  'http://[::1]:3128',
  '  http://trimmed.example:3128  ',
];

const refused: Array<[string, RegExp]> = [
  ['proxy.example.com:3128', /Unsupported proxy scheme 'proxy.example.com'/],
  ['socks4://proxy.example.com:1080', /Unsupported proxy scheme 'socks4'/],
  ['ftp://proxy.example.com:21', /Unsupported proxy scheme 'ftp'/],
  ['http://proxy.example.com', /explicit port/],
  ['socks5://proxy.example.com', /explicit port/],
  ['http://proxy.example.com:3128/path', /path, query or fragment/],
  ['http://proxy.example.com:3128?x=1', /path, query or fragment/],
  ['http://user@proxy.example.com:3128', /both a user and a password/],
  ['http://:pass@proxy.example.com:3128', /both a user and a password/],
  ['http://user:%E0%A4%A@proxy.example.com:3128', /percent-encoded/],
  ['not a url', /Not a URL/],
  ['', /Not a URL/],
];

test('ProxyUrlSchema accepts http, https, socks5 and socks5h URLs with optional credentials', () => {
  for (const value of accepted) {
    const parsed = ProxyUrlSchema.safeParse(value);
    assert.ok(parsed.success, `${value}: ${parsed.error?.message}`);
    assert.equal(parsed.data, value.trim());
  }
});

test('ProxyUrlSchema refuses anything else, naming the accepted forms', () => {
  for (const [value, why] of refused) {
    const parsed = ProxyUrlSchema.safeParse(value);
    assert.ok(!parsed.success, `${value} was accepted`);
    const message = parsed.error.issues[0]?.message ?? '';
    assert.match(message, why, value);
    assert.match(
      message,
      /http:\/\/\[user:password@\]host:port, https:\/\/.*socks5:\/\/.*socks5h:\/\//,
      value,
    );
  }
  assert.match(ProxyUrlSchema.safeParse(3128).error?.issues[0]?.message ?? '', /A proxy is a URL string/);
});

test('maskProxyUrl hides the password and nothing else', () => {
  const cases: Array<[string, string]> = [
    ['http://127.0.0.1:3128', 'http://127.0.0.1:3128'],
    ['https://user:pass@proxy.example.com:443', 'https://user:***@proxy.example.com:443'],
    ['https://user:pass@proxy.example.com:8443', 'https://user:***@proxy.example.com:8443'],
    ['socks5://acct-7:p%40ss%3Aword@proxy.example.com:1080', 'socks5://acct-7:***@proxy.example.com:1080'],
    ['socks5h://u:p@[::1]:1080', 'socks5h://u:***@[::1]:1080'],
    // Not a URL at all: whatever looks like a password is still hidden.
    ['http://user:pa ss@bad host:1', 'http://user:***@bad host:1'],
    ['http://user:pa/ss@host:1', 'http://user:***@host:1'],
    ['http://user:p@ss@host:1', 'http://user:***@host:1'],
  ];
  for (const [value, masked] of cases) assert.equal(maskProxyUrl(value), masked);
});
