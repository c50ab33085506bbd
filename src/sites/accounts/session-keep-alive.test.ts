import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { DemoSiteAdapter } from '../demo/demo-site-adapter.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import { type AccountHealth, startKeepAlive } from './session-keep-alive.ts';

// The keep-alive only speaks the Site interface, so the fast HTTP transport is enough to prove it.
let demo: DemoSite;
let site: DemoSiteAdapter;
const logger = createLogger('silent');

before(async () => {
  demo = await startDemoSite({ control: true });
  site = new DemoSiteAdapter({
    id: 'demo',
    baseUrl: demo.url,
    credentials: { username: 'demo', password: 'demo-password' },
    streaming: 'sse',
    transport: new HttpTransport(),
    logger,
  });
});

after(async () => {
  await site?.close();
  await demo?.close();
});

test('an ended session is renewed; a captcha marks the account needs-login; it recovers after', async () => {
  const changes: AccountHealth['state'][] = [];
  const verdicts: AccountHealth['state'][] = [];
  const keepAlive = startKeepAlive(site, 60_000, {
    logger,
    onHealth: (health) => changes.push(health.state),
    onCheck: (health) => verdicts.push(health.state),
  });
  try {
    assert.equal((await keepAlive.checkNow()).state, 'ok');
    assert.equal(demo.stats().logins, 1, 'the first check logged in');

    demo.setFaults({ expireSessions: true });
    assert.equal((await keepAlive.checkNow()).state, 'ok');
    assert.equal(demo.stats().logins, 2, 'the expired session was renewed');

    demo.setFaults({ captcha: true });
    const blocked = await keepAlive.checkNow();
    assert.equal(blocked.state, 'needs-login');
    assert.match(blocked.state === 'needs-login' ? blocked.reason : '', /challenge/);

    demo.setFaults({});
    assert.equal((await keepAlive.checkNow()).state, 'ok');
    assert.deepEqual(changes, ['ok', 'needs-login', 'ok']);
    assert.deepEqual(verdicts, ['ok', 'ok', 'needs-login', 'ok'], 'every verdict, changed or not');
  } finally {
    keepAlive.stop();
  }
});

test('checks run on the schedule', async () => {
  const before = demo.stats().requestsByPath['GET /api/session'] ?? 0;
  const keepAlive = startKeepAlive(site, 50, { logger });
  await new Promise((resolve) => setTimeout(resolve, 400));
  keepAlive.stop();
  const after = demo.stats().requestsByPath['GET /api/session'] ?? 0;
  assert.ok(after - before >= 3, `only ${after - before} checks`);
});
