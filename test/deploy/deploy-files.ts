import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Test support: the deployment files of the repository, read and parsed. */
export const repoFile = (path: string): string =>
  readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  stop_grace_period?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses a compose file; Compose's `!reset` tag becomes `{ reset: value }`. */
export function readCompose(path: string): ComposeFile {
  return parse(repoFile(path), {
    customTags: [{ tag: '!reset', resolve: (value: unknown) => ({ reset: value }), collection: 'seq' }],
  }) as ComposeFile;
}

/** Variables a compose file interpolates from `.env` (`${NAME}`, `${NAME:-default}`, `${NAME:?message}`). */
export function interpolatedVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!));
}

/** `NAME=value` lines of an env file. */
export function envFileVariables(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
}
