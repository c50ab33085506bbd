import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';
import { assertAnswersPineapple } from '../support/serve-process.ts';
import { embedDemoSite } from '../../src/cli/embed-demo-site.ts';

describe('starting the gateway', () => {
  test('the CLI starts on the embedded demo site, prints URLs, key and a curl line, and answers', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wcg-cli-'));
    const child = spawn(process.execPath, ['bin/webchat-gateway.mjs', 'serve'], {
      env: { ...process.env, PORT: '0', GATEWAY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', GATEWAY_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${output}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Try it:') && output.includes("'\n")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
      });
      const base = /OpenAI base URL:\s+(\S+)/.exec(output)?.[1];
      const key = /API key \(generated[^)]*\): (\S+)/.exec(output)?.[1];
      assert.ok(base && key, output);
      assert.match(output, /Anthropic base URL:\s+http:\/\/127\.0\.0\.1:\d+\s/);
      assert.match(output, /curl .*\/v1\/chat\/completions/);
      assert.equal((await readFile(join(dataDir, 'generated-api-key'), 'utf8')).trim(), key);
      assert.equal((await stat(join(dataDir, 'generated-api-key'))).mode & 0o777, 0o600);
      await assertAnswersPineapple(base, key);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a generated key is kept across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wcg-key-'));
    try {
      const config = await loadConfig({ env: { GATEWAY_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' } });
      const first = await startGateway(config, { embedDemoSite, logger: createLogger('silent') });
      await first.close();
      const second = await startGateway(config, { embedDemoSite, logger: createLogger('silent') });
      await second.close();
      assert.equal(first.generatedKey?.created, true);
      assert.equal(second.generatedKey?.created, false);
      assert.equal(first.generatedKey?.key, second.generatedKey?.key);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('refuses a non-loopback address without a configured key', async () => {
    const config = await loadConfig({ env: { HOST: '0.0.0.0', PORT: '0', GATEWAY_DATA_DIR: '/tmp/unused' } });
    await assert.rejects(
      startGateway(config, { embedDemoSite, logger: createLogger('silent') }),
      /without an API key/,
    );
  });

  test('HOST, PORT and GATEWAY_API_KEY come from the environment; bad config is a clear error', async () => {
    const config = await loadConfig({
      env: { HOST: '127.0.0.2', PORT: '9999', GATEWAY_API_KEY: 'env-key-0123456789abcdef' },
    });
    assert.equal(config.server.host, '127.0.0.2');
    assert.equal(config.server.port, 9999);
    assert.equal(config.apiKeys[0]?.key, 'env-key-0123456789abcdef');
    await assert.rejects(loadConfig({ env: { GATEWAY_API_KEY: 'short' } }), /at least 16 characters/);
  });
});
