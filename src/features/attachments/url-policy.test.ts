import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileFetchPolicy, parseTarget } from './url-policy.ts';

const strict = compileFetchPolicy({});

function refusal(url: string, policy = strict): string {
  try {
    parseTarget(url, policy);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

// Pure checks: none of these URLs is ever connected to, so non-loopback targets are safe to list here.
describe('parseTarget: literal addresses in every notation', () => {
  const loopbackSpellings = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f000001/',
    'http://0x7f.0.0.1/',
    'http://0x7F.1/',
    'http://127.1/',
    'http://127.0.1/',
    'http://017700000001/',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::127.0.0.1]/',
    'http://[2002:7f00:0001::]/',
    'https://127.0.0.1.:8443/',
  ];
  for (const url of loopbackSpellings) {
    test(`refuses ${url}`, () => assert.match(refusal(url), /loopback/));
  }

  const others: Array<[string, RegExp]> = [
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://2852039166/', /link-local/],
    ['http://0xa9fea9fe/', /link-local/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://[fd00:ec2::254]/', /unique-local/],
    ['http://10.0.0.1/', /private/],
    ['http://012.0.0.1/', /private/],
    ['http://192.168.1.1/', /private/],
    ['http://172.16.0.1/', /private/],
    ['http://100.64.0.1/', /carrier-grade NAT/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://224.0.0.1/', /multicast/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[ff02::1]/', /multicast/],
  ];
  for (const [url, reason] of others) {
    test(`refuses ${url}`, () => assert.match(refusal(url), reason));
  }

  test('accepts a public literal', () => {
    assert.equal(refusal('https://8.8.8.8/a.png'), 'accepted');
    assert.equal(refusal('https://[2606:4700:4700::1111]/a.png'), 'accepted');
  });
});

describe('parseTarget: schemes, names, credentials', () => {
  const schemes = [
    'file:///etc/passwd',
    'ftp://example.com/a.png',
    'data:image/png;base64,AAAA',
    'gopher://example.com:70/_GET',
    'javascript:alert(1)',
    'ws://example.com/',
    'blob:https://example.com/uuid',
  ];
  for (const url of schemes) {
    test(`refuses scheme of ${url}`, () => assert.match(refusal(url), /unsupported scheme/));
  }

  test('refuses metadata and local names, also with a trailing dot or odd case', () => {
    for (const url of [
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.google.internal./',
      'http://localhost:8080/',
      'http://localhost./',
      'http://foo.localhost/',
      'http://printer.local/',
      'http://instance-data/latest/',
      'http://db.internal/',
    ]) {
      assert.match(refusal(url), /internal host name/, url);
    }
  });

  test('refuses credentials in the URL and garbage', () => {
    assert.match(refusal('http://user:pass@example.com/'), /credentials/);
    assert.match(refusal('http://@127.0.0.1@example.com/'), /credentials|loopback/);
    assert.match(refusal('not a url'), /not a valid absolute URL/);
    assert.match(refusal('/relative.png'), /not a valid absolute URL/);
  });

  test('operator allow-lists open exactly what they name', () => {
    const policy = compileFetchPolicy({
      allowHosts: ['Images.Corp.Internal', '*.cdn.lan'],
      allowCidrs: ['10.1.0.0/16'],
    });
    assert.equal(refusal('http://images.corp.internal/a.png', policy), 'accepted');
    assert.equal(refusal('http://a.b.cdn.lan/a.png', policy), 'accepted');
    assert.match(refusal('http://cdn.lan/a.png', policy), /internal host name/);
    assert.equal(refusal('http://10.1.2.3/a.png', policy), 'accepted');
    assert.equal(refusal('http://[::ffff:10.1.2.3]/a.png', policy), 'accepted');
    assert.match(refusal('http://10.2.0.1/a.png', policy), /private/);
    assert.throws(() => compileFetchPolicy({ allowCidrs: ['10.0.0.0/99'] }), /prefix length/);
  });
});
