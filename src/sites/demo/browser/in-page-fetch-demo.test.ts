import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatewayError } from '../../../core/errors.ts';
import { InPageFetchTransport } from '../../../transports/browser/in-page-fetch-transport.ts';
import { NeedsLoginError } from '../../../site-contract/site-errors.ts';
import { DemoSiteAdapter } from '../demo-site-adapter.ts';
import {
  type BrowserFixture,
  collectEvents,
  eventually,
  replyText,
  startBrowserFixture,
} from '../../../../test/support/browser-fixture.ts';

const TEST_TIMEOUT = 20_000;

describe('demo adapter over in-page fetch (real Chromium)', { timeout: 120_000 }, () => {
  let fixture: BrowserFixture;
  let site: DemoSiteAdapter;

  function adapterFor(accountId: string): DemoSiteAdapter {
    const account = fixture.manager.account(accountId, { homeUrl: `${fixture.demo.url}/` });
    return new DemoSiteAdapter({
      id: 'demo',
      baseUrl: fixture.demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      streaming: 'sse',
      transport: new InPageFetchTransport({ account, logger: fixture.logger }),
      logger: fixture.logger,
    });
  }

  before(async () => {
    fixture = await startBrowserFixture();
    site = adapterFor('main');
  });

  after(async () => {
    await site?.close();
    await fixture?.close();
  });

  test('logs in through the page and lists the models', { timeout: TEST_TIMEOUT }, async () => {
    const models = await site.listModels();
    assert.deepEqual(
      models.map((model) => model.id),
      ['text-1', 'vision-1', 'reasoning-1', 'tools-1', 'slow-1', 'fast-1'],
    );
    assert.equal(fixture.demo.stats().logins, 1);
    assert.deepEqual(await site.checkSession(AbortSignal.timeout(5000)), { state: 'ok', user: 'demo' });
  });

  test('a two-turn thread continues on the site', { timeout: TEST_TIMEOUT }, async () => {
    const signal = AbortSignal.timeout(15_000);
    const first = await collectEvents(
      site.send({ model: 'text-1', text: 'remember kiwi', attachments: [] }, signal),
    );
    const thread = first[0];
    assert.equal(thread?.type, 'thread');
    assert.match(replyText(first).split('\n')[0] ?? '', /^\[text-1\] turn=1 /);
    assert.deepEqual(first.at(-1), { type: 'finish', reason: 'stop' });

    const threadId = thread?.type === 'thread' ? thread.threadId : '';
    const second = await collectEvents(
      site.send(
        { model: 'text-1', threadId, text: 'what did I ask you to remember', attachments: [] },
        signal,
      ),
    );
    assert.equal(second[0]?.type === 'thread' && second[0].threadId, threadId);
    const text = replyText(second);
    assert.match(text.split('\n')[0] ?? '', /^\[text-1\] turn=2 /);
    assert.match(text, /kiwi/);
  });

  test('a reasoning model streams its thinking before the answer', { timeout: TEST_TIMEOUT }, async () => {
    const events = await collectEvents(
      site.send({ model: 'reasoning-1', text: 'say hello', attachments: [] }, AbortSignal.timeout(15_000)),
    );
    const firstReasoning = events.findIndex((event) => event.type === 'reasoning');
    const firstText = events.findIndex((event) => event.type === 'text');
    assert.ok(firstReasoning > 0 && firstReasoning < firstText);
    assert.match(replyText(events, 'reasoning'), /Thinking about turn 1/);
    assert.match(replyText(events), /\nhello$/);
  });

  test('a slow model streams chunk by chunk as the site produces them', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const arrivals: number[] = [];
    for await (const event of site.send(
      { model: 'slow-1', text: 'count to 10', attachments: [] },
      AbortSignal.timeout(15_000),
    )) {
      if (event.type === 'text') arrivals.push(Date.now());
    }
    assert.ok(arrivals.length >= 10, `only ${arrivals.length} text events`);
    // Words arrive ~50 ms apart: spread out, not in one burst at the end.
    assert.ok((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0) > 300);
  });

  test('uploads a file (multipart rebuilt inside the page) and sends it', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const signal = AbortSignal.timeout(15_000);
    const bytes = new TextEncoder().encode('a note from the browser');
    const attachment = await site.upload(
      { data: bytes, filename: 'note.txt', mediaType: 'text/plain' },
      signal,
    );
    assert.equal(attachment.mediaType, 'text/plain');
    const events = await collectEvents(
      site.send({ model: 'vision-1', text: 'hi', attachments: [attachment] }, signal),
    );
    const sha = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    assert.match(replyText(events), new RegExp(`attachments=1 sha256=${sha} `));
  });

  test('aborting mid-stream aborts the request on the site', { timeout: TEST_TIMEOUT }, async () => {
    const before = fixture.demo.stats().clientAborts;
    const controller = new AbortController();
    let texts = 0;
    await assert.rejects(async () => {
      for await (const event of site.send(
        { model: 'slow-1', text: 'count to 40', attachments: [] },
        controller.signal,
      )) {
        if (event.type === 'text' && ++texts === 3) controller.abort();
      }
    }, /abort/i);
    await eventually(() => fixture.demo.stats().clientAborts === before + 1);
    await eventually(() => fixture.demo.stats().activeGenerations === 0);
  });

  test('an expired session is renewed by logging in again', { timeout: TEST_TIMEOUT }, async () => {
    await site.listModels();
    const logins = fixture.demo.stats().logins;
    fixture.demo.setFaults({ expireSessions: true });
    const events = await collectEvents(
      site.send({ model: 'text-1', text: 'say renewed', attachments: [] }, AbortSignal.timeout(15_000)),
    );
    assert.match(replyText(events), /\nrenewed$/);
    assert.equal(fixture.demo.stats().logins, logins + 1);
  });

  test('a forced logout is renewed the same way', { timeout: TEST_TIMEOUT }, async () => {
    const logins = fixture.demo.stats().logins;
    fixture.demo.setFaults({ forceLogout: true });
    assert.equal((await site.listModels()).length, 6);
    assert.equal(fixture.demo.stats().logins, logins + 1);
  });

  test('a captcha interstitial becomes a needs-login error', { timeout: TEST_TIMEOUT }, async () => {
    const fresh = adapterFor('captcha');
    fixture.demo.setFaults({ captcha: true });
    try {
      await assert.rejects(fresh.listModels(), NeedsLoginError);
      // An account that was logged in hits the interstitial on its next call too.
      await assert.rejects(site.listModels(), NeedsLoginError);
    } finally {
      fixture.demo.setFaults({});
      await fresh.close();
    }
    assert.equal((await site.listModels()).length, 6);
  });

  test('a renderer crash mid-stream fails that request cleanly; the next one succeeds', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    let texts = 0;
    const failure = await (async () => {
      try {
        for await (const event of site.send(
          { model: 'slow-1', text: 'count to 40', attachments: [] },
          AbortSignal.timeout(15_000),
        )) {
          if (event.type === 'text' && ++texts === 3) await killProcesses(fixture, 'renderer');
        }
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    assert.ok(failure instanceof GatewayError, `expected a GatewayError, got ${String(failure)}`);
    assert.equal(failure.kind, 'upstream');
    assert.equal(failure.retryable, true);
    const events = await collectEvents(
      site.send({ model: 'text-1', text: 'say recovered', attachments: [] }, AbortSignal.timeout(15_000)),
    );
    assert.match(replyText(events), /\nrecovered$/);
  });

  test('a killed browser is relaunched with the saved session (no new login)', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    await site.listModels();
    // The session snapshot is written shortly after the login; give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const launches = fixture.manager.launches;
    const logins = fixture.demo.stats().logins;
    await killProcesses(fixture, 'browser');
    await eventually(() => fixture.manager.launches === launches, 100).catch(() => undefined);
    let models: unknown[] | undefined;
    for (let attempt = 0; attempt < 3 && !models; attempt++) {
      // The first call may race the disconnect notice and fail cleanly; the gateway's retry would repeat it.
      models = await site.listModels().catch((error: unknown) => {
        assert.ok(error instanceof GatewayError, String(error));
        return undefined;
      });
    }
    assert.equal(models?.length, 6);
    assert.equal(fixture.manager.launches, launches + 1);
    assert.equal(fixture.demo.stats().logins, logins, 'the restored snapshot kept the session');
  });
});

async function killProcesses(fixture: BrowserFixture, type: 'renderer' | 'browser'): Promise<void> {
  const processes = await fixture.manager.processes();
  const targets = processes.filter((process) => process.type === type);
  assert.ok(targets.length > 0, `no ${type} process`);
  for (const target of targets) process.kill(target.pid, 'SIGKILL');
}
