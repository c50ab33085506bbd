import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../demo-site/src/index.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { TEST_KEY } from '../support/start-stack.ts';

let redis: RedisServer;
let demo: DemoSite;
let dataDirs: string[] = [];
const children: ChildProcess[] = [];

async function startGatewayProcess(
  onStoreError: 'fail-open' | 'fail-closed' = 'fail-closed',
): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wcg-adm-'));
  dataDirs.push(dataDir);
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    dataDir,
    apiKeys: [{ key: TEST_KEY, user: 'alice', name: 'test' }],
    sites: [{ id: 'demo', kind: 'demo', embedded: false, baseUrl: demo.url }],
    logLevel: 'silent',
    admission: { redisUrl: redis.url, onStoreError, accounts: { sites: { demo: { maxConcurrent: 2 } } } },
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/gateway-process.ts', JSON.stringify(config)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /LISTENING (\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
  });
}

before(async () => {
  redis = await startRedisServer();
  demo = await startDemoSite({ control: true, slowWordDelayMs: 5 });
});
after(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  await demo.close();
  await redis.close();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dataDirs = [];
});

test('two gateway processes on one Redis: 40 concurrent requests, never more than 2 generations at the site', async () => {
  const urls = await Promise.all([startGatewayProcess(), startGatewayProcess()]);
  const responses = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      fetch(`${urls[i % 2]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo/text-1', messages: [{ role: 'user', content: `multi ${i}` }] }),
      }),
    ),
  );
  for (const response of responses) assert.equal(response.status, 200, await response.text());
  const stats = (await (await fetch(`${demo.url}/__control/stats`)).json()) as {
    generations: number;
    peakActiveByAccount: Record<string, number>;
  };
  assert.equal(stats.generations, 40);
  assert.equal(stats.peakActiveByAccount.demo, 2);
});

const chat = (url: string, text: string, model = 'demo/text-1') =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: text }] }),
  });

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ready = async (url: string) => (await fetch(`${url}/readyz`)).status;

test('Redis restarted under two gateway processes: in-flight turns finish, each process follows its policy, both recover', async () => {
  const [closed, open] = await Promise.all([
    startGatewayProcess('fail-closed'),
    startGatewayProcess('fail-open'),
  ]);
  const inFlight = [
    chat(closed, 'restart in flight 1', 'demo/slow-1'),
    chat(open, 'restart in flight 2', 'demo/slow-1'),
  ];
  await until(async () => {
    const stats = (await (await fetch(`${demo.url}/__control/stats`)).json()) as {
      activeGenerations: number;
    };
    return stats.activeGenerations === 2;
  }, 'both turns to start at the site');
  await redis.stop();
  await until(async () => (await ready(closed)) === 503, 'the fail-closed process to report not ready');

  const refused = await chat(closed, 'while redis is down (closed)');
  assert.equal(refused.status, 503);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  const body = (await refused.json()) as { error: { message: string; type: string } };
  assert.match(body.error.message, /admission store/);
  const admitted = await chat(open, 'while redis is down (open)');
  assert.equal(admitted.status, 200, await admitted.text());
  assert.equal(await ready(open), 200, 'fail-open stays ready (degraded)');

  for (const response of await Promise.all(inFlight))
    assert.equal(response.status, 200, await response.text());

  await redis.start();
  await until(async () => (await ready(closed)) === 200, 'the fail-closed process to be ready again');
  const after = await Promise.all([
    chat(closed, 'after restart (closed)'),
    chat(open, 'after restart (open)'),
  ]);
  for (const response of after) assert.equal(response.status, 200, await response.text());
});
