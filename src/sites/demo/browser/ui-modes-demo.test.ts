import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { NeedsLoginError, ThreadNotFoundError } from '../../../site-contract/site-errors.ts';
import type { Site, SiteEvent } from '../../../site-contract/site.ts';
import {
  type BrowserFixture,
  collectEvents,
  eventually,
  replyText,
  startBrowserFixture,
} from '../../../../test/support/browser-fixture.ts';
import { createDemoBrowserSite, type DemoBrowserMode } from './create-demo-browser-site.ts';

const TEST_TIMEOUT = 25_000;
const VARIANTS: Array<{ mode: DemoBrowserMode; streaming: 'sse' | 'ws' }> = [
  { mode: 'network-capture', streaming: 'sse' },
  { mode: 'network-capture', streaming: 'ws' },
  { mode: 'dom', streaming: 'sse' },
];

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const firstLine = (events: SiteEvent[]) => replyText(events).split('\n')[0] ?? '';
const threadOf = (events: SiteEvent[]) => (events[0]?.type === 'thread' ? events[0].threadId : undefined);

describe('demo site through its chat UI (real Chromium)', { timeout: 300_000 }, () => {
  let fixture: BrowserFixture;

  before(async () => {
    fixture = await startBrowserFixture();
  });

  after(async () => {
    await fixture?.close();
  });

  for (const { mode, streaming } of VARIANTS) {
    describe(`${mode} over ${streaming}`, () => {
      let site: Site;
      const signal = () => AbortSignal.timeout(20_000);

      before(async () => {
        site = createDemoBrowserSite({
          id: 'demo',
          accountId: `${mode}-${streaming}`,
          baseUrl: fixture.demo.url,
          credentials: { username: 'demo', password: 'demo-password' },
          streaming,
          mode,
          manager: fixture.manager,
          logger: fixture.logger,
        });
        await site.listModels();
      });

      after(async () => {
        await site?.close();
      });

      test('a two-turn thread with a system prompt', { timeout: TEST_TIMEOUT }, async () => {
        const first = await collectEvents(
          site.send(
            { model: 'text-1', text: 'remember kiwi', systemPrompt: 'Be terse.', attachments: [] },
            signal(),
          ),
        );
        const threadId = threadOf(first);
        assert.ok(threadId);
        assert.match(
          firstLine(first),
          new RegExp(`^\\[text-1\\] turn=1 .* system=${sha256('Be terse.').slice(0, 12)}$`),
        );
        assert.deepEqual(first.at(-1), { type: 'finish', reason: 'stop' });

        const second = await collectEvents(
          site.send(
            { model: 'text-1', threadId, text: 'what did I ask you to remember', attachments: [] },
            signal(),
          ),
        );
        assert.equal(threadOf(second), threadId);
        assert.match(firstLine(second), /^\[text-1\] turn=2 /);
        assert.match(replyText(second), /kiwi/);
        assert.deepEqual(
          fixture.demo.threadLog(threadId)?.map((entry) => entry.text),
          ['remember kiwi', 'what did I ask you to remember'],
        );
      });

      test('a thread deleted on the site is reported gone at once', { timeout: TEST_TIMEOUT }, async () => {
        const first = await collectEvents(
          site.send({ model: 'text-1', text: 'soon gone', attachments: [] }, signal()),
        );
        const threadId = threadOf(first);
        assert.ok(threadId);
        // Through the API: the warm page's sidebar still lists the thread, so the UI clicks it.
        await site.deleteThread(threadId, signal());
        const started = Date.now();
        await assert.rejects(
          collectEvents(
            site.send({ model: 'text-1', threadId, text: 'still there?', attachments: [] }, signal()),
          ),
          (error: unknown) => error instanceof ThreadNotFoundError && error.threadId === threadId,
        );
        assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
        const next = await collectEvents(
          site.send({ model: 'text-1', text: 'say fresh', attachments: [] }, signal()),
        );
        assert.notEqual(threadOf(next), threadId);
        assert.match(firstLine(next), /^\[text-1\] turn=1 /);
      });

      test('a reasoning model streams its thinking first', { timeout: TEST_TIMEOUT }, async () => {
        const events = await collectEvents(
          site.send({ model: 'reasoning-1', text: 'say hello', attachments: [] }, signal()),
        );
        const firstReasoning = events.findIndex((event) => event.type === 'reasoning');
        assert.ok(firstReasoning > 0 && firstReasoning < events.findIndex((event) => event.type === 'text'));
        assert.match(replyText(events, 'reasoning'), /Thinking about turn 1/);
        assert.match(replyText(events), /\nhello$/);
      });

      test('a slow model streams as the site produces it', { timeout: TEST_TIMEOUT }, async () => {
        const arrivals: number[] = [];
        let text = '';
        for await (const event of site.send(
          { model: 'slow-1', text: 'count to 12', attachments: [] },
          signal(),
        )) {
          if (event.type !== 'text') continue;
          arrivals.push(Date.now());
          text += event.delta;
        }
        assert.match(text, /\n1 2 3 4 5 6 7 8 9 10 11 12$/);
        assert.ok(arrivals.length >= 8, `only ${arrivals.length} text events`);
        assert.ok((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0) > 300);
      });

      test('a file goes up through the file input', { timeout: TEST_TIMEOUT }, async () => {
        const bytes = new TextEncoder().encode(`notes for ${mode}`);
        const uploadsBefore = fixture.demo.stats().uploads;
        const attachment = await site.upload(
          { data: bytes, filename: 'notes.txt', mediaType: 'text/plain' },
          signal(),
        );
        const events = await collectEvents(
          site.send({ model: 'vision-1', text: 'what is attached', attachments: [attachment] }, signal()),
        );
        assert.match(firstLine(events), new RegExp(`attachments=1 sha256=${sha256(bytes)} `));
        assert.equal(fixture.demo.stats().uploads, uploadsBefore + 1);
      });

      test('abort stops the generation on the site and frees the page', {
        timeout: TEST_TIMEOUT,
      }, async () => {
        const before = fixture.demo.stats();
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
        await eventually(() => fixture.demo.stats().activeGenerations === 0);
        const after = fixture.demo.stats();
        assert.equal(after.stops + after.clientAborts, before.stops + before.clientAborts + 1);
        const next = await collectEvents(
          site.send({ model: 'text-1', text: 'say again', attachments: [] }, signal()),
        );
        assert.match(replyText(next), /\nagain$/);
      });

      test('a reply its reader stops reading is stopped on the site', { timeout: TEST_TIMEOUT }, async () => {
        const before = fixture.demo.stats();
        const reply = site
          .send({ model: 'slow-1', text: 'count to 40', attachments: [] }, signal())
          [Symbol.asyncIterator]();
        for (let texts = 0; texts < 3; ) {
          const next = await reply.next();
          assert.ok(!next.done);
          if (next.value.type === 'text') texts++;
        }
        // No abort: the reader just closes the stream, as the pipeline does when its client left.
        await reply.return?.();
        await eventually(() => fixture.demo.stats().activeGenerations === 0);
        const after = fixture.demo.stats();
        assert.equal(after.stops + after.clientAborts, before.stops + before.clientAborts + 1);
      });

      test('an expired session is renewed and the turn still goes through', {
        timeout: TEST_TIMEOUT,
      }, async () => {
        const logins = fixture.demo.stats().logins;
        fixture.demo.setFaults({ expireSessions: true });
        const events = await collectEvents(
          site.send({ model: 'text-1', text: 'say renewed', attachments: [] }, signal()),
        );
        assert.match(replyText(events), /\nrenewed$/);
        assert.equal(fixture.demo.stats().logins, logins + 1);
      });

      test('a captcha interstitial is a needs-login error', { timeout: TEST_TIMEOUT }, async () => {
        fixture.demo.setFaults({ captcha: true });
        try {
          await assert.rejects(
            collectEvents(site.send({ model: 'text-1', text: 'hi', attachments: [] }, signal())),
            NeedsLoginError,
          );
        } finally {
          fixture.demo.setFaults({});
        }
      });

      if (streaming === 'ws') {
        const upgrades = () => fixture.demo.stats().requestsByPath?.['GET /api/ws'] ?? 0;

        test('a socket the site cut is reopened by the UI and the turn goes through', {
          timeout: TEST_TIMEOUT,
        }, async () => {
          await collectEvents(site.send({ model: 'text-1', text: 'say warm', attachments: [] }, signal()));
          const before = upgrades();
          fixture.demo.setFaults({ dropWebSockets: true });
          await delay(300);
          const events = await collectEvents(
            site.send({ model: 'text-1', text: 'say reconnected', attachments: [] }, signal()),
          );
          assert.match(replyText(events), /\nreconnected$/);
          assert.equal(upgrades(), before + 1);
        });

        test('a challenge while the page has no socket is a needs-login error (the UI fails before sending)', {
          timeout: TEST_TIMEOUT,
        }, async () => {
          await collectEvents(site.send({ model: 'text-1', text: 'say warm', attachments: [] }, signal()));
          fixture.demo.setFaults({ dropWebSockets: true });
          // The page sees its socket close; the UI opens a new one only with the next send.
          await delay(300);
          fixture.demo.setFaults({ captcha: true });
          try {
            await assert.rejects(
              collectEvents(site.send({ model: 'text-1', text: 'hi', attachments: [] }, signal())),
              NeedsLoginError,
            );
          } finally {
            fixture.demo.setFaults({});
          }
          const after = await collectEvents(
            site.send({ model: 'text-1', text: 'say back', attachments: [] }, signal()),
          );
          assert.match(replyText(after), /\nback$/);
        });
      }
    });
  }

  test('turns the UI cannot express (native tools) go through the page API', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const site = createDemoBrowserSite({
      id: 'demo',
      accountId: 'network-capture-sse',
      baseUrl: fixture.demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      streaming: 'sse',
      mode: 'network-capture',
      manager: fixture.manager,
      logger: fixture.logger,
    });
    try {
      const events = await collectEvents(
        site.send(
          {
            model: 'tools-1',
            text: 'call tool lookup with {"q":"x"}',
            attachments: [],
            tools: [
              { name: 'lookup', description: 'Looks up', parameters: { type: 'object' }, kind: 'function' },
            ],
          },
          AbortSignal.timeout(20_000),
        ),
      );
      assert.ok(events.some((event) => event.type === 'tool-call' && event.name === 'lookup'));
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool-calls' });
    } finally {
      await site.close();
    }
  });
});
