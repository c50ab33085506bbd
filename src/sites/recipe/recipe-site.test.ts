import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { GatewayError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { NeedsLoginError, ThreadNotFoundError } from '../../site-contract/site-errors.ts';
import { loadRecipe } from './load-recipe.ts';
import { RecipeSite } from './recipe-site.ts';

const recipePath = (name: string) => new URL(`../../../recipes/${name}`, import.meta.url).pathname;
const signal = () => AbortSignal.timeout(10_000);

async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const textOf = (events: SiteEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');

async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const file of ['demo-api.yaml', 'demo-api-ws.yaml']) {
  describe(`recipe site ${file} against the demo site`, () => {
    let demo: DemoSite;
    let site: RecipeSite;

    before(async () => {
      demo = await startDemoSite({ control: true, slowWordDelayMs: 20 });
    });
    beforeEach(async () => {
      demo.reset();
      await site?.close();
      site = new RecipeSite({
        id: 'demo-recipe',
        recipe: await loadRecipe(recipePath(file)),
        baseUrl: demo.url,
        credentials: { username: 'demo', password: 'demo-password' },
        transport: new HttpTransport(),
        logger: createLogger('silent'),
      });
    });
    after(async () => {
      await site?.close();
      await demo?.close();
    });

    test('sends the system prompt and attachments the recipe maps, and reads thinking', async () => {
      const attachment = await site.upload(
        { data: new TextEncoder().encode('hello'), filename: 'a.txt', mediaType: 'text/plain' },
        signal(),
      );
      const events = await collect(
        site.send(
          { model: 'vision-1', text: 'say hi', systemPrompt: 'Be terse.', attachments: [attachment] },
          signal(),
        ),
      );
      const thread = events[0];
      assert.equal(thread?.type, 'thread');
      const log = demo.threadLog(thread?.type === 'thread' ? thread.threadId : '');
      assert.equal(log?.[0]?.systemPrompt, 'Be terse.');
      assert.deepEqual(log?.[0]?.fileIds, [attachment.fileId]);
      assert.match(textOf(events), /attachments=1 /);

      const reasoning = await collect(
        site.send({ model: 'reasoning-1', text: 'say hi', attachments: [] }, signal()),
      );
      assert.ok(reasoning.some((event) => event.type === 'reasoning'));
      const firstText = reasoning.findIndex((event) => event.type === 'text');
      assert.ok(reasoning.findLastIndex((event) => event.type === 'reasoning') < firstText);
    });

    test('aliases are listed and resolve to the site model', async () => {
      const models = await site.listModels(signal());
      const alias = models.find((model) => model.id === 'demo-default');
      assert.ok(alias);
      assert.deepEqual(alias.capabilities, models.find((model) => model.id === 'text-1')?.capabilities);
      const events = await collect(
        site.send({ model: 'demo-default', text: 'say hi', attachments: [] }, signal()),
      );
      assert.match(textOf(events), /^\[text-1\] /);
      const vision = models.find((model) => model.id === 'vision-1');
      assert.equal(vision?.capabilities.vision, true);
      assert.equal(models.find((model) => model.id === 'text-1')?.capabilities.vision, false);
    });

    test('logs in again after a forced logout and after the session expired', async () => {
      await site.login(signal());
      demo.setFaults({ forceLogout: true });
      assert.equal((await site.checkSession(signal())).state, 'needs-login');
      const models = await site.listModels(signal());
      assert.ok(models.length > 0);
      demo.setFaults({ expireSessions: true });
      const events = await collect(site.send({ model: 'text-1', text: 'say ok', attachments: [] }, signal()));
      assert.match(textOf(events), /ok/);
      assert.equal(demo.stats().logins, 3);
    });

    test('site refusals become the right gateway errors', async () => {
      await assert.rejects(
        collect(
          site.send({ model: 'text-1', threadId: 'thr_missing', text: 'x', attachments: [] }, signal()),
        ),
        (error: unknown) => error instanceof ThreadNotFoundError && error.threadId === 'thr_missing',
      );
      await assert.rejects(
        collect(site.send({ model: 'text-1', text: 'x'.repeat(100_001), attachments: [] }, signal())),
        (error: unknown) => error instanceof GatewayError && error.kind === 'context_length_exceeded',
      );
      await assert.rejects(
        collect(site.send({ model: 'nope-9', text: 'x', attachments: [] }, signal())),
        (error: unknown) => error instanceof GatewayError && error.kind === 'not_found',
      );
      demo.setFaults({ captcha: true });
      assert.equal((await site.checkSession(signal())).state, 'challenge');
      await assert.rejects(site.login(signal()), NeedsLoginError);
      demo.setFaults({});
      const wrong = new RecipeSite({
        id: 'wrong',
        recipe: site.recipe,
        baseUrl: demo.url,
        credentials: { username: 'demo', password: 'wrong' },
        transport: new HttpTransport(),
        logger: createLogger('silent'),
      });
      await assert.rejects(wrong.listModels(signal()), /rejected the configured credentials/);
      await wrong.close();
    });

    test('a stream that breaks midway is an error, not a short reply', async () => {
      demo.setFaults({ midStreamDisconnect: true });
      await assert.rejects(
        collect(site.send({ model: 'text-1', text: 'count to 30', attachments: [] }, signal())),
        (error: unknown) => error instanceof GatewayError && error.kind === 'upstream',
      );
    });

    test('aborting stops the generation on the site', async () => {
      const controller = new AbortController();
      await assert.rejects(async () => {
        for await (const event of site.send(
          { model: 'slow-1', text: 'tell me a long story', attachments: [] },
          controller.signal,
        )) {
          if (event.type === 'text') controller.abort(new Error('caller left'));
        }
      }, /caller left/);
      await eventually(() => demo.stats().activeGenerations === 0);
      const stats = demo.stats();
      assert.equal(stats.clientAborts + stats.stops, 1);
    });
  });
}
