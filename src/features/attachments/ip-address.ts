import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP addresses as raw bytes (4 for IPv4, 16 for IPv6), so range checks are exact bit comparisons
 * instead of string prefixes — string matching is how SSRF guards usually get bypassed.
 */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  prefixLength: number;
}

/** Parses a dotted-quad or IPv6 address (brackets and zone ids tolerated); undefined if it is neither. */
export function parseIp(text: string): IpAddress | undefined {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  // A zone id (`fe80::1%eth0`) only selects an interface; the address itself is what we judge.
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  if (isIPv4(address)) return { family: 4, bytes: parseIpv4(address) };
  if (isIPv6(address)) return { family: 6, bytes: parseIpv6(address) };
  return undefined;
}

function parseIpv4(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map((part) => Number.parseInt(part, 10)));
}

// Only called on strings node:net accepted as IPv6, so the shape is known to be valid.
function parseIpv6(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  const [head = '', tail] = address.toLowerCase().split('::');
  const headGroups = toGroups(head);
  const tailGroups = tail === undefined ? [] : toGroups(tail);
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0),
          ...tailGroups,
        ];
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

function toGroups(segment: string): number[] {
  if (segment === '') return [];
  const groups: number[] = [];
  for (const part of segment.split(':')) {
    if (part.includes('.')) {
      const [a = 0, b = 0, c = 0, d = 0] = parseIpv4(part);
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      groups.push(Number.parseInt(part, 16));
    }
  }
  return groups;
}

/** Parses `10.0.0.0/8`, `fc00::/7` or a bare address (a /32 or /128). Throws on malformed input. */
export function parseCidr(text: string): Cidr {
  const slash = text.lastIndexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === undefined) throw new Error(`Invalid CIDR "${text}": not an IP address`);
  const max = ip.family === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  const prefixLength = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefixLength > max) {
    throw new Error(`Invalid CIDR "${text}": prefix length must be 0-${max}`);
  }
  return { family: ip.family, bytes: ip.bytes, prefixLength };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  let bits = cidr.prefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.bytes[i] ?? 0) & mask) !== ((ip.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}
