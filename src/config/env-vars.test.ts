import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ENV_VARS, SECRET_ENV_VARS } from './env-vars.ts';

const source = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the table of environment variables', () => {
  test('its config-loader rows are exactly the variables loadConfig reads', () => {
    const read = new Set(
      [...source('./load-config.ts').matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!),
    );
    const listed = new Set(ENV_VARS.filter((v) => v.readBy === 'config loader').map((v) => v.name));
    assert.deepEqual([...read].sort(), [...listed].sort());
  });

  test('the demo-site CLI and browser rows are read where they say', () => {
    const demoCli = source('../../demo-site/src/cli.ts');
    for (const v of ENV_VARS.filter((v) => v.readBy === 'demo-site CLI'))
      assert.ok(demoCli.includes(v.name), v.name);
    assert.ok(source('../transports/browser/find-chromium.ts').includes('.CHROME_PATH'));
  });

  test('docs/configuration.md has one row per variable, and no other', () => {
    const docs = source('../../docs/configuration.md');
    const rows = [...docs.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!);
    assert.deepEqual(
      rows,
      ENV_VARS.map((v) => v.name),
    );
    for (const name of SECRET_ENV_VARS) assert.match(docs, new RegExp(`\\| \`${name}\` 🔒 \\|`));
  });
});
