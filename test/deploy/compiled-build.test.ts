import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertAnswersPineapple, startServeProcess } from '../support/serve-process.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath, e.name));
}

// What production runs (`npm start`, the Docker image): the compiled dist/, not the sources through tsx.
describe('the compiled build', () => {
  test('serves from compiled JS: the demo site pages and assets resolve, chats answer, SIGTERM exits 0', async () => {
    const out = `.tmp/build-test-${process.pid}`;
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', `--out=${out}`], { cwd: root, stdio: 'pipe' });
      const files = await jsFiles(join(root, out));
      assert.ok(files.some((file) => file.endsWith('src/cli/main.js')));
      for (const file of files) {
        const text = await readFile(file, 'utf8');
        // Every relative import was rewritten to .js; nothing needs a TypeScript loader.
        assert.doesNotMatch(
          text,
          /from '\.{1,2}\/[^']*\.ts'|import\('\.{1,2}\/[^']*\.ts'\)/,
          relative(root, file),
        );
      }
      // No loader: NODE_OPTIONS cleared so nothing can bring tsx in.
      const served = await startServeProcess({
        entry: join(out, 'src/cli/main.js'),
        env: { NODE_OPTIONS: '' },
      });
      try {
        const login = await fetch(`${served.demo}/login`);
        assert.equal(login.status, 200);
        assert.match(await login.text(), /<form/i);
        assert.equal((await fetch(`${served.demo}/assets/app.css`)).status, 200);
        assert.equal((await fetch(`${served.origin}/readyz`)).status, 200);
        await assertAnswersPineapple(`${served.origin}/v1`, served.key);
      } finally {
        served.child.kill('SIGTERM');
      }
      assert.equal(await served.exit, 0, served.output());
    } finally {
      await rm(join(root, out), { recursive: true, force: true });
    }
  });
});
