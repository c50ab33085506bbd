import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockedReason } from './address-policy.ts';
import { cidrContains, formatIp, parseCidr, parseIp } from './ip-address.ts';

function verdict(address: string): string | undefined {
  const ip = parseIp(address);
  assert.ok(ip, `${address} should parse`);
  return blockedReason(ip);
}

describe('blockedReason', () => {
  const blocked: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.0.10', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['198.18.0.1', /benchmarking/],
    ['192.0.0.8', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['febf::1', /link-local/],
    ['fc00::1', /unique-local/],
    ['fd12:3456::1', /unique-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped form of a loopback/],
    ['::ffff:7f00:1', /IPv4-mapped form of a loopback/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped form of a link-local/],
    ['::127.0.0.1', /IPv4-compatible form of a loopback/],
    ['::ffff:0:10.0.0.1', /IPv4-translated form of a private/],
    ['64:ff9b::10.0.0.1', /NAT64 form of a private/],
    ['64:ff9b::a9fe:a9fe', /NAT64 form of a link-local/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::', /6to4 form of a loopback/],
    ['2002:c0a8:0101::1', /6to4 form of a private/],
    // Teredo client 127.0.0.1 is stored inverted: ~0x7f000001 = 0x80fffffe.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo form of a loopback/],
    ['fe80::1%eth0', /link-local/],
  ];
  for (const [address, reason] of blocked) {
    test(`refuses ${address}`, () => assert.match(verdict(address) ?? 'allowed', reason));
  }

  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ];
  allowed.push('64:ff9b::808:808', '2002:0808:0808::1', '2001:4860:4860::8888');
  for (const address of allowed) {
    test(`allows public ${address}`, () => assert.equal(verdict(address), undefined));
  }
});

describe('ip-address', () => {
  test('parses and formats both families', () => {
    assert.equal(formatIp(parseIp('[::ffff:127.0.0.1]')!), '0:0:0:0:0:ffff:7f00:1');
    assert.equal(formatIp(parseIp('10.0.0.1')!), '10.0.0.1');
    assert.equal(parseIp('example.com'), undefined);
    assert.equal(parseIp('127.1'), undefined, 'short forms are WHATWG URL business, not ours');
  });

  test('cidrContains respects prefix bits', () => {
    const cidr = parseCidr('172.16.0.0/12');
    assert.equal(cidrContains(cidr, parseIp('172.31.0.1')!), true);
    assert.equal(cidrContains(cidr, parseIp('172.32.0.1')!), false);
    assert.equal(cidrContains(parseCidr('0.0.0.0/0'), parseIp('8.8.8.8')!), true);
    assert.equal(cidrContains(parseCidr('::/0'), parseIp('8.8.8.8')!), false, 'families never mix');
  });

  test('parseCidr rejects malformed entries', () => {
    assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length/);
    assert.throws(() => parseCidr('10.0.0.0/'), /prefix length/);
    assert.throws(() => parseCidr('intranet/8'), /not an IP/);
  });
});
