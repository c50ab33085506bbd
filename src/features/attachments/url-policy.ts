import { blockedReason, compileCidrs, inAnyCidr } from './address-policy.ts';
import { type Cidr, type IpAddress, parseIp } from './ip-address.ts';

/**
 * The checks on a URL that need no network: scheme, embedded credentials, names that always mean
 * "inside", and literal IP hosts. Address checks for resolved names use the same `FetchPolicy`.
 */

export interface FetchPolicy {
  /** Lower-cased host names (no trailing dot) or `*.suffix` patterns the operator trusts. */
  allowHosts: readonly string[];
  allowCidrs: readonly Cidr[];
}

export function compileFetchPolicy(options: {
  allowHosts?: readonly string[] | undefined;
  allowCidrs?: readonly string[] | undefined;
}): FetchPolicy {
  return {
    allowHosts: (options.allowHosts ?? []).map((host) => normalizeHostname(host)),
    allowCidrs: compileCidrs(options.allowCidrs),
  };
}

// Names that resolve to the machine itself or to cloud metadata services on common platforms; refused
// by name so a friendly local resolver (or /etc/hosts) cannot turn them into an internal fetch.
const BLOCKED_NAMES = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'instance-data',
  'instance-data.ec2.internal',
]);
const BLOCKED_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.intranet', '.lan'];

export type ParsedTarget =
  | { kind: 'ip'; url: URL; hostname: string; ip: IpAddress; trusted: boolean }
  | { kind: 'name'; url: URL; hostname: string; trusted: boolean };

export class UrlRefusal extends Error {
  override readonly name = 'UrlRefusal';
}

/**
 * Parses with WHATWG URL rules, which also canonicalise every IPv4 spelling (`2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `127.1`) to dotted-quad — the same form a fetch would connect to — before checking.
 */
export function parseTarget(raw: string, policy: FetchPolicy): ParsedTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefusal('is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlRefusal(`uses the unsupported scheme "${url.protocol.slice(0, -1)}" (only http and https)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UrlRefusal('contains credentials (user:password@), which are not allowed');
  }
  const hostname = normalizeHostname(url.hostname);
  if (hostname === '') throw new UrlRefusal('has no host');
  const trusted = hostAllowed(policy, hostname);
  const ip = parseIp(hostname);
  if (ip !== undefined) {
    if (!trusted) assertAddressAllowed(ip, policy, hostname);
    return { kind: 'ip', url, hostname, ip, trusted };
  }
  if (
    !trusted &&
    (BLOCKED_NAMES.has(hostname) || BLOCKED_SUFFIXES.some((suffix) => hostname.endsWith(suffix)))
  ) {
    throw new UrlRefusal(`points to the internal host name "${hostname}"`);
  }
  return { kind: 'name', url, hostname, trusted };
}

/** Throws unless the address is public or inside an operator-allowed CIDR. */
export function assertAddressAllowed(ip: IpAddress, policy: FetchPolicy, hostname: string): void {
  if (addressInAllowList(ip, policy)) return;
  const reason = blockedReason(ip);
  if (reason === undefined) return;
  const subject = parseIp(hostname) === undefined ? `host "${hostname}" resolves to` : 'points to';
  // The reason is a noun phrase of its own ("loopback", "IPv4-mapped form of a … address").
  throw new UrlRefusal(`${subject} a blocked address (${reason}), which is not allowed`);
}

function addressInAllowList(ip: IpAddress, policy: FetchPolicy): boolean {
  if (inAnyCidr(policy.allowCidrs, ip)) return true;
  // Dual-stack resolvers hand out IPv4 as ::ffff:a.b.c.d; an IPv4 allow entry should still match.
  const mapped =
    ip.family === 6 &&
    ip.bytes.slice(0, 10).every((b) => b === 0) &&
    ip.bytes[10] === 0xff &&
    ip.bytes[11] === 0xff;
  return mapped && inAnyCidr(policy.allowCidrs, { family: 4, bytes: ip.bytes.slice(12) });
}

function hostAllowed(policy: FetchPolicy, hostname: string): boolean {
  return policy.allowHosts.some((pattern) =>
    pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : pattern === hostname,
  );
}

/** Lower case, brackets off IPv6, trailing dots off (`localhost.` is `localhost` to a resolver). */
export function normalizeHostname(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  return name.replace(/\.+$/, '');
}
