import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { parseRecipe } from '../../sites/recipe/load-recipe.ts';
import { demoPerson } from '../../sites/recipe/recorder/demo-person.ts';
import type { CommandIo } from './check-command.ts';
import { runRecord } from './record-command.ts';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}

const person = (page: Parameters<typeof demoPerson>[0]) =>
  demoPerson(page, { username: 'demo', password: 'demo-password' });

describe('webchat-gateway record', { timeout: 90_000 }, () => {
  let demo: DemoSite;
  let dir: string;
  before(async () => {
    demo = await startDemoSite({});
    dir = await mkdtemp(join(tmpdir(), 'record-command-'));
  });
  after(async () => {
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('records a person in headless Chromium, writes the draft and the recording', async () => {
    const out = join(dir, 'site.yaml');
    const saved = join(dir, 'recording.json');
    const io = capture();
    const code = await runRecord(
      [`${demo.url}/`, '--out', out, '--save-recording', saved, '--headless'],
      io,
      person,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const yaml = await readFile(out, 'utf8');
    parseRecipe(yaml, 'site.yaml');
    assert.match(io.stdout.join('\n'), /Wrote .*site\.yaml with \d+ REVIEW marks/);
    assert.match(io.stdout.join('\n'), /- The message went in POST \/api\/chat\./);

    // A saved recording drafts the same recipe again, without a browser.
    const again = join(dir, 'again.yaml');
    assert.equal(await runRecord(['--from-recording', saved, '--out', again], capture(), person), 0);
    assert.equal(await readFile(again, 'utf8'), yaml);
  });

  test('bad usage exits 2', async () => {
    assert.equal(await runRecord([`${demo.url}/`], capture(), person), 2);
    assert.equal(
      await runRecord(['not-a-url', '--out', join(dir, 'x.yaml'), '--headless'], capture(), person),
      2,
    );
  });
});
