import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { startDemoSite } from '../../demo-site/src/index.ts';
import { GatewayConfigSchema } from '../../src/config/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway } from '../../src/gateway.ts';

const KEY = 'test-key-0123456789abcdef';

describe('structured request logs', () => {
  test('JSON lines carry the request id, which comes from x-request-id when well formed and is echoed', async () => {
    const demo = await startDemoSite({ slowWordDelayMs: 1 });
    const dataDir = await mkdtemp(join(tmpdir(), 'wcg-logs-'));
    const sink = new PassThrough();
    let logged = '';
    sink.on('data', (chunk: Buffer) => {
      logged += chunk.toString();
    });
    const gateway = await startGateway(
      GatewayConfigSchema.parse({
        server: { host: '127.0.0.1', port: 0 },
        dataDir,
        apiKeys: [{ key: KEY }],
        sites: [{ id: 'demo', kind: 'demo', embedded: false, baseUrl: demo.url }],
      }),
      { logger: createLogger('info', sink) },
    );
    try {
      const chat = (requestId: string | undefined, stream: boolean) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': 'application/json',
            ...(requestId ? { 'x-request-id': requestId } : {}),
          },
          body: JSON.stringify({ model: 'demo/fast-1', stream, messages: [{ role: 'user', content: 'hi' }] }),
        });
      const plain = await chat('trace-0123456789', false);
      await plain.text();
      assert.equal(plain.headers.get('x-request-id'), 'trace-0123456789');
      const streamed = await chat('proxy.req:42-abcdef', true);
      await streamed.text();
      assert.equal(streamed.headers.get('x-request-id'), 'proxy.req:42-abcdef');
      const hostile = await chat('bad id\twith spaces', false);
      await hostile.text();
      const generated = hostile.headers.get('x-request-id') ?? '';
      assert.match(generated, /^req_[a-z0-9]+$/);
      const own = await chat(undefined, false);
      await own.text();
      assert.match(own.headers.get('x-request-id') ?? '', /^req_[a-z0-9]+$/);
      assert.notEqual(own.headers.get('x-request-id'), generated);

      await new Promise((resolve) => setImmediate(resolve));
      const lines = logged
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const id of ['trace-0123456789', 'proxy.req:42-abcdef', generated]) {
        const ofRequest = lines.filter((line) => line.reqId === id);
        assert.ok(
          ofRequest.some((line) => line.msg === 'incoming request') &&
            ofRequest.some((line) => line.msg === 'request completed'),
          `log lines for ${id}: ${JSON.stringify(ofRequest)}`,
        );
      }
      assert.ok(lines.every((line) => line.service === 'webchat-gateway' && typeof line.time === 'number'));
      assert.ok(!logged.includes(KEY), 'the API key never reaches the log');
    } finally {
      await gateway.close();
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
