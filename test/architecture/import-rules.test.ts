import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * The module rules of docs/architecture.md, checked on every production file under src/ (tests and
 * fixtures may reach across, e.g. to the demo site):
 * - the site contract (`src/site-contract/`) imports only `src/core/`;
 * - dialects import only `src/core/` and each other;
 * - transports import neither sites nor the server;
 * - site adapters (`src/sites/<kind>/`) never import another adapter; shared helpers are in
 *   `src/sites/kit/`, account upkeep in `src/sites/accounts/`;
 * - no import cycle, type-only imports included;
 * - no file over 400 lines unless its header says why.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SHARED_SITE_FOLDERS = new Set(['kit', 'accounts']);
const MAX_LINES = 400;
const LONG_FILE_REASON = /Longer than 400 lines because/;

function productionFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__' && entry.name !== 'node_modules')
        files.push(...productionFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      files.push(path);
    }
  }
  return files;
}

const files = productionFiles('src');
const sources = new Map(files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));

/** Repo-relative targets of a file's relative imports (static, type-only, re-exports, dynamic). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(sources.get(file) ?? '', true, true);
  return info.importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => normalize(join(dirname(file), name)));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const under = (file: string, folder: string) => file.startsWith(`${folder}/`);
const siteFolderOf = (file: string) => (under(file, 'src/sites') ? file.split('/')[2] : undefined);

function violations(rule: (from: string, to: string) => string | undefined): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const problem = rule(from, to);
      if (problem) found.push(`${from} → ${to}: ${problem}`);
    }
  }
  return found;
}

test('the import graph is read (sanity: known edges are seen)', () => {
  assert.ok(files.length > 200, `only ${files.length} files found`);
  assert.ok(graph.get('src/gateway.ts')?.includes('src/sites/create-sites.ts'));
  // A type-only import is an edge too.
  assert.ok(graph.get('src/sites/kit/site-descriptor.ts')?.includes('src/site-contract/site.ts'));
});

test('the site contract imports only core/', () => {
  assert.deepEqual(
    violations((from, to) =>
      under(from, 'src/site-contract') && !under(to, 'src/site-contract') && !under(to, 'src/core')
        ? 'the contract may import only src/core'
        : undefined,
    ),
    [],
  );
});

test('dialects import only core/ and other dialect modules', () => {
  assert.deepEqual(
    violations((from, to) =>
      under(from, 'src/dialects') && !under(to, 'src/dialects') && !under(to, 'src/core')
        ? 'dialects may import only src/core'
        : undefined,
    ),
    [],
  );
});

test('transports import neither sites nor the server', () => {
  assert.deepEqual(
    violations((from, to) =>
      under(from, 'src/transports') && (under(to, 'src/sites') || under(to, 'src/server'))
        ? 'a transport knows no site and no route'
        : undefined,
    ),
    [],
  );
});

test('site adapters never import each other', () => {
  assert.deepEqual(
    violations((from, to) => {
      const own = siteFolderOf(from);
      const other = siteFolderOf(to);
      if (!own || !other || own === other) return undefined;
      // The registry and the site factory (files directly in src/sites/) assemble the adapters.
      if (!from.slice('src/sites/'.length).includes('/')) return undefined;
      if (SHARED_SITE_FOLDERS.has(other)) return undefined;
      return `adapter '${own}' imports adapter '${other}'`;
    }),
    [],
  );
});

test('there is no import cycle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

/** A file's header: everything before its first declaration. */
function headerOf(text: string): string {
  const first = text.search(
    /^(export )?(async function|function|const|let|class|interface|type \w+|enum)\b/m,
  );
  return first === -1 ? text : text.slice(0, first);
}

test(`no production file is over ${MAX_LINES} lines without a reason in its header`, () => {
  const long = [...sources]
    .filter(([, text]) => text.split('\n').length > MAX_LINES)
    .filter(([, text]) => !LONG_FILE_REASON.test(headerOf(text)))
    .map(([file, text]) => `${relative('.', file)} (${text.split('\n').length} lines)`);
  assert.deepEqual(long, []);
});
