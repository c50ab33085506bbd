import type { LookupFunction } from 'node:net';
import { normalizeHostname } from './url-policy.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * A `net.connect` lookup that never asks DNS: it answers only with the addresses already resolved and
 * validated for that host. This is what defeats DNS rebinding — whatever a resolver would say at connect
 * time, the socket goes to the address that passed the check. Unknown hosts fail closed.
 */
export function createPinnedLookup(pins: ReadonlyMap<string, readonly ResolvedAddress[]>): LookupFunction {
  return (hostname, options, callback) => {
    const pinned = pins.get(normalizeHostname(hostname)) ?? [];
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const addresses = wanted === undefined ? pinned : pinned.filter((entry) => entry.family === wanted);
    const first = addresses[0];
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error(`No validated address pinned for ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
      return;
    }
    if (options.all === true) {
      callback(
        null,
        addresses.map((entry) => ({ address: entry.address, family: entry.family })),
      );
      return;
    }
    callback(null, first.address, first.family);
  };
}
