import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, test } from 'node:test';
import { createPinnedLookup, type ResolvedAddress } from './pinned-lookup.ts';

function ask(
  pins: Map<string, ResolvedAddress[]>,
  hostname: string,
  options: { all?: boolean; family?: number },
): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => {
    createPinnedLookup(pins)(hostname, options, (error, address, family) =>
      resolve({ error, address, family }),
    );
  });
}

describe('createPinnedLookup', () => {
  const pins = new Map<string, ResolvedAddress[]>([
    [
      'img.example',
      [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    ],
  ]);

  test('answers with the pinned addresses only, in both callback shapes', async () => {
    assert.deepEqual(await ask(pins, 'img.example', {}), {
      error: null,
      address: '93.184.216.34',
      family: 4,
    });
    const all = await ask(pins, 'IMG.example.', { all: true });
    assert.deepEqual(all.address, [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    assert.deepEqual(await ask(pins, 'img.example', { family: 6 }), {
      error: null,
      address: '2606:2800:220:1::1',
      family: 6,
    });
  });

  test('fails closed for a host nobody validated', async () => {
    const result = await ask(pins, 'other.example', {});
    assert.equal(result.error?.code, 'ENOTFOUND');
  });
});
