import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type DemoSite, startDemoSite } from '../../demo-site/src/index.ts';
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { type Gateway, startGateway } from '../../src/gateway.ts';
import { embedDemoSite } from '../../src/cli/embed-demo-site.ts';

const SITE_PASSWORD = 'site-password-never-logged-9f3c';

/** Every file under `dir`, as raw bytes decoded leniently (SQLite pages, WAL, key files…). */
async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, text: (await readFile(path)).toString('latin1') });
  }
  return out;
}

describe('secrets never reach logs, the database or the audit log', () => {
  let demo: DemoSite;
  let gateway: Gateway;
  let dataDir: string;
  const logLines: string[] = [];
  const secrets: Record<string, string> = {};

  before(async () => {
    demo = await startDemoSite({
      slowWordDelayMs: 1,
      accounts: [{ username: 'demo', password: SITE_PASSWORD }],
    });
    dataDir = await mkdtemp(join(tmpdir(), 'wcg-secrets-'));
    const config = GatewayConfigSchema.parse({
      server: { host: '127.0.0.1', port: 0 },
      dataDir,
      sites: [
        {
          id: 'demo',
          kind: 'demo',
          embedded: false,
          baseUrl: demo.url,
          credentials: { username: 'demo', password: SITE_PASSWORD },
        },
      ],
      logLevel: 'trace',
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    gateway = await startGateway(config, { embedDemoSite, logger: createLogger('trace', sink) });
    secrets.generatedKey = gateway.generatedKey?.key ?? '';
    secrets.adminToken = gateway.generatedAdminToken?.key ?? '';
    secrets.sitePassword = SITE_PASSWORD;
    assert.ok(secrets.generatedKey && secrets.adminToken);

    const admin = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${gateway.url}/admin/api${path}`, {
        method,
        headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as Record<string, string>;
    };
    // A run touching every place a secret could slip into: chats in both dialects, streaming and
    // not, admin actions creating, rotating and revoking keys, failed logins with near-miss keys.
    const user = await admin('POST', '/users', { name: 'leaktest', token_quota: 100000 });
    const created = await admin('POST', `/users/${user.id}/keys`, { name: 'k' });
    secrets.userKey = created.key ?? '';
    const rotated = await admin('POST', `/keys/${created.id}/rotate`, { grace_seconds: 60 });
    secrets.rotatedKey = rotated.key ?? '';
    for (const key of [secrets.generatedKey, secrets.userKey, secrets.rotatedKey]) {
      const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'Reply with the word SECRET' }],
      });
      const stream = await openai.chat.completions.create({
        model: 'demo/text-1',
        messages: [{ role: 'user', content: 'repeat x 5 times' }],
        stream: true,
      });
      for await (const _ of stream);
      const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
      await anthropic.messages.create({
        model: 'demo/text-1',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      });
    }
    await admin('DELETE', `/keys/${rotated.id}`);
    for (const near of [`${secrets.userKey}x`, secrets.adminToken, `${secrets.generatedKey.slice(0, -1)}Z`]) {
      await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${near}` } });
    }
    await fetch(`${gateway.url}/admin/api/users`, { headers: { 'x-api-key': secrets.userKey } });
    await gateway.close();
  });
  after(async () => {
    await demo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the run logged plenty at trace level', () => {
    assert.ok(logLines.length > 30, `${logLines.length} log lines`);
    assert.ok(
      logLines.some((line) => line.includes('"level":10') || line.includes('"level":20')),
      'no debug or trace lines',
    );
  });

  test('no key, admin token or site password in any log line', () => {
    const log = logLines.join('');
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(!log.includes(secret), `${name} appears in the log`);
    }
  });

  test('the database files hold only hashes: no secret in any file but the two key files', async () => {
    const files = await filesUnder(dataDir);
    assert.ok(files.some((file) => file.path.endsWith('gateway.sqlite')));
    for (const file of files) {
      for (const [name, secret] of Object.entries(secrets)) {
        const allowed =
          (name === 'generatedKey' && file.path.endsWith('generated-api-key')) ||
          (name === 'adminToken' && file.path.endsWith('admin-token'));
        if (!allowed) assert.ok(!file.text.includes(secret), `${name} appears in ${file.path}`);
      }
    }
  });
});
