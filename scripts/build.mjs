#!/usr/bin/env node
// Compiles the gateway and the demo site to dist/ (tsc, tsconfig.build.json) and copies the runtime
// files that are not TypeScript (the demo site's public/ pages, JSON next to sources) beside the
// compiled modules, so `new URL('…', import.meta.url)` finds them from dist/ as it does from src/.
// `--if-stale` builds only when a source is newer than the last build (what `npm start` runs).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out=<dir>` (inside the repository, so node_modules resolves) builds elsewhere; tests use it.
const outArg = process.argv.find((arg) => arg.startsWith('--out='));
const dist = join(root, outArg ? outArg.slice('--out='.length) : 'dist');
const stamp = join(dist, '.build-stamp');
const sourceRoots = ['src', 'demo-site/src', 'demo-site/public'];
const configFiles = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** Non-TypeScript files that the code reads at runtime (fixtures and docs stay behind). */
function isRuntimeAsset(relativePath) {
  if (relativePath.startsWith('demo-site/public/')) return true;
  // The admin dashboard's style sheet and script, served by the gateway itself.
  if (relativePath.startsWith('src/server/dashboard/assets/')) return true;
  if (relativePath.includes('__fixtures__')) return false;
  return relativePath.endsWith('.json');
}

function walk(dir, out = []) {
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

function newestSourceMtime() {
  // An install with dist/ but without the sources (the Docker image) has nothing to rebuild from.
  const roots = sourceRoots.filter((dir) => existsSync(join(root, dir)));
  const files = [
    ...roots.flatMap((dir) => walk(dir)),
    ...configFiles.filter((file) => existsSync(join(root, file))),
  ];
  if (files.length === 0) return 0;
  return Math.max(...files.map((file) => statSync(join(root, file)).mtimeMs));
}

if (
  process.argv.includes('--if-stale') &&
  existsSync(stamp) &&
  statSync(stamp).mtimeMs >= newestSourceMtime()
) {
  process.exit(0);
}

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(tsc.status ?? 1);
}
let copied = 0;
for (const file of sourceRoots.flatMap((dir) => walk(dir)).filter(isRuntimeAsset)) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  cpSync(join(root, file), join(dist, file));
  copied += 1;
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.error(`build: dist/ ready (${copied} runtime assets copied)`);
