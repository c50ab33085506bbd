import { type Cidr, cidrContains, type IpAddress, parseCidr } from './ip-address.ts';

/**
 * Which addresses a fetch of a caller-supplied URL may connect to. Everything that is not plainly a
 * public unicast address is refused: an attacker only needs one reachable internal service.
 */

interface BlockedRange {
  cidr: Cidr;
  reason: string;
}

function ranges(entries: Array<[string, string]>): BlockedRange[] {
  return entries.map(([cidr, reason]) => ({ cidr: parseCidr(cidr), reason }));
}

const BLOCKED_IPV4 = ranges([
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.0.2.0/24', 'reserved (documentation)'],
  ['192.88.99.0/24', 'reserved (6to4 relay)'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved (benchmarking)'],
  ['198.51.100.0/24', 'reserved (documentation)'],
  ['203.0.113.0/24', 'reserved (documentation)'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

const BLOCKED_IPV6 = ranges([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private (local-use NAT64)'],
  ['100::/64', 'reserved (discard-only)'],
  ['2001:db8::/32', 'reserved (documentation)'],
  ['fc00::/7', 'unique-local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (private)'],
  ['ff00::/8', 'multicast'],
]);

/**
 * IPv6 forms that carry an IPv4 address inside them. The embedded address is what a translator or
 * tunnel ends up reaching, so it gets the IPv4 verdict (`::ffff:127.0.0.1` is loopback).
 */
const EMBEDDING_IPV6: Array<{ cidr: Cidr; name: string; extract: (bytes: Uint8Array) => Uint8Array }> = [
  { cidr: parseCidr('::ffff:0:0/96'), name: 'IPv4-mapped', extract: (b) => b.slice(12, 16) },
  // Deprecated IPv4-compatible form; ::/128 and ::1/128 are matched as such before this applies.
  { cidr: parseCidr('::/96'), name: 'IPv4-compatible', extract: (b) => b.slice(12, 16) },
  { cidr: parseCidr('::ffff:0:0:0/96'), name: 'IPv4-translated', extract: (b) => b.slice(12, 16) },
  { cidr: parseCidr('64:ff9b::/96'), name: 'NAT64', extract: (b) => b.slice(12, 16) },
  { cidr: parseCidr('2002::/16'), name: '6to4', extract: (b) => b.slice(2, 6) },
  // Teredo stores the client's IPv4 address bit-inverted in the last 32 bits.
  { cidr: parseCidr('2001::/32'), name: 'Teredo', extract: (b) => b.slice(12, 16).map((x) => ~x & 0xff) },
];

/** Why an address must not be contacted, or undefined when it is a public unicast address. */
export function blockedReason(ip: IpAddress): string | undefined {
  if (ip.family === 4) return BLOCKED_IPV4.find((range) => cidrContains(range.cidr, ip))?.reason;
  const direct = BLOCKED_IPV6.find((range) => cidrContains(range.cidr, ip));
  if (direct !== undefined) return direct.reason;
  const embedding = EMBEDDING_IPV6.find((form) => cidrContains(form.cidr, ip));
  if (embedding === undefined) return undefined;
  const inner = blockedReason({ family: 4, bytes: embedding.extract(ip.bytes) });
  if (inner === undefined) return undefined;
  return `${embedding.name} form of ${/^[aeiou]/i.test(inner) ? 'an' : 'a'} ${inner} IPv4 address`;
}

/** Compiles operator CIDRs once; throws on a malformed entry so a typo fails at startup, not per request. */
export function compileCidrs(entries: readonly string[] | undefined): Cidr[] {
  return (entries ?? []).map(parseCidr);
}

export function inAnyCidr(cidrs: readonly Cidr[], ip: IpAddress): boolean {
  return cidrs.some((cidr) => cidrContains(cidr, ip));
}
