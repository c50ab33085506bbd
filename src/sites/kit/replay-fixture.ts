import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

/**
 * Test support shared by the adapters' fake servers: a recorded (or documented) wire fixture is
 * written back in small, uneven pieces so every frame is split across reads somewhere, the way a
 * real network delivers it.
 */
export function readFixture(directory: URL, name: string): string {
  return readFileSync(new URL(name, directory), 'utf8');
}

export interface ReplayOptions {
  /** Bytes per write; odd sizes cut frames, JSON and multi-byte characters at arbitrary places. */
  chunkBytes?: number;
  /** Pause between writes, so the client sees several reads. */
  delayMs?: number;
  /** Stops writing (without ending the response) when this returns true: the client went away. */
  stopped?: () => boolean;
}

export async function writeInPieces(
  response: ServerResponse,
  body: string | Uint8Array,
  options: ReplayOptions = {},
): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const size = options.chunkBytes ?? 7;
  for (let at = 0; at < bytes.length; at += size) {
    if (options.stopped?.() || response.destroyed) return;
    response.write(bytes.subarray(at, at + size));
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  }
}

/** A long streamed reply for the incremental and abort cases: `count` words, one frame each. */
export function words(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `word${i + 1} `);
}
