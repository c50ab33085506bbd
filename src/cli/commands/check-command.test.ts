import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { type CommandIo, runCheck } from './check-command.ts';

const DEMO_RECIPE = new URL('../../../recipes/demo-api.yaml', import.meta.url).pathname;

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}

describe('webchat-gateway check', { timeout: 60_000 }, () => {
  let demo: DemoSite;
  let dir: string;
  const args = () => [
    DEMO_RECIPE,
    '--base-url',
    demo.url,
    '--credential',
    'username=demo',
    '--credential-env',
    'password=CHECK_TEST_PASSWORD',
    '--timeout',
    '8000',
  ];

  before(async () => {
    demo = await startDemoSite({ control: true, slowWordDelayMs: 10 });
    dir = await mkdtemp(join(tmpdir(), 'check-command-'));
    process.env.CHECK_TEST_PASSWORD = 'demo-password';
  });
  after(async () => {
    delete process.env.CHECK_TEST_PASSWORD;
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a recipe on a healthy site: the table is all green and the exit code 0', async () => {
    const io = capture();
    assert.equal(await runCheck(args(), io), 0, io.stderr.join('\n'));
    const table = io.stdout.join('\n');
    assert.match(table, /^Checking .*demo-api\.yaml$/m);
    for (const row of ['logged in', 'models listed', 'one-word reply', 'thread deletion'])
      assert.match(table, new RegExp(`^${row} +pass `, 'm'));
    assert.match(table, /^9 passed, 0 failed, 0 skipped$/m);
  });

  test('a fault turns rows red and the exit code 1; --json gives the rows', async () => {
    demo.setFaults({ http500: true });
    try {
      const io = capture();
      assert.equal(await runCheck([...args(), '--json'], io), 1);
      const rows = JSON.parse(io.stdout.join('\n')) as Array<{ name: string; status: string }>;
      assert.deepEqual(
        rows.filter((row) => row.status === 'pass').map((row) => row.name),
        ['logged in', 'models listed'],
      );
    } finally {
      demo.setFaults({});
    }
  });

  test('a broken recipe is refused with its line; bad usage exits 2', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(
      broken,
      (await readFile(DEMO_RECIPE, 'utf8')).replace('    list: $.models[*]', '    list: $.models[?(@.id)]'),
    );
    const io = capture();
    assert.equal(await runCheck([broken, '--base-url', demo.url], io), 2);
    assert.match(
      io.stderr.join('\n'),
      /^broken\.yaml:\d+ api\.models\.list: invalid JSONPath '\$\.models\[\?\(@\.id\)\]': filters/m,
    );

    const usage = capture();
    assert.equal(await runCheck([], usage), 2);
    assert.match(usage.stderr.join('\n'), /^Usage: webchat-gateway check/m);
    assert.equal(await runCheck(['--bogus'], capture()), 2);
  });
});
