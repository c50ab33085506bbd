import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createLogger } from '../../../core/logger.ts';
import { BrowserManager } from '../../../transports/browser/browser-manager.ts';
import { HttpTransport } from '../../../transports/http/http-transport.ts';
import { describeSiteConformance } from '../../../site-contract/conformance/site-conformance-suite.ts';
import type { SiteEvent } from '../../../site-contract/site.ts';
import { loadRecipe } from '../load-recipe.ts';
import { RecipeSite } from '../recipe-site.ts';
import { createUiOperations } from './create-ui-operations.ts';
import { startTrickyChatServer, type TrickyChatServer } from './tricky-chat-server.ts';

interface Shared {
  server: TrickyChatServer;
  browser: BrowserManager;
  site: RecipeSite;
}

// One page server and one Chromium for the file: the conformance suite, then the quirk checks.
let shared: Promise<Shared> | undefined;
let users = 2;
const start = () => {
  shared ??= (async () => {
    const server = await startTrickyChatServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'tricky-chat-'));
    const logger = createLogger('silent');
    const browser = new BrowserManager({ dataDir, logger });
    const close = browser.close.bind(browser);
    browser.close = async () => {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    };
    const account = browser.account('tricky', { homeUrl: `${server.url}/` });
    const site = new RecipeSite({
      id: 'tricky',
      recipe: await loadRecipe(new URL('__fixtures__/tricky-chat.yaml', import.meta.url).pathname),
      baseUrl: server.url,
      credentials: {},
      transport: new HttpTransport(),
      ui: (recipe, baseUrl) => createUiOperations({ recipe, baseUrl, account, credentials: {}, logger }),
      logger,
    });
    return { server, browser, site };
  })();
  return shared;
};
const release = async () => {
  if (--users > 0 || !shared) return;
  const { server, browser, site } = await shared;
  await site.close();
  await browser.close();
  await server.close();
};

async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const textOf = (events: SiteEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');

describeSiteConformance(
  'recipe for an awkward third-party-style page (hashed classes, drawer picker, on-the-fly file input, markdown)',
  async () => {
    const { site } = await start();
    return {
      site,
      model: 'Model B',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: { data: new TextEncoder().encode('hello file'), filename: 'note.txt', mediaType: 'text/plain' },
      cleanup: release,
    };
  },
  {
    skip: {
      continuation: 'the page keeps no conversation history (capabilities.threads: false)',
      'delete-thread': 'the page has no thread list to delete from',
      'native-tools': 'the page has no tool calling (its models declare no nativeTools)',
      reasoning: 'the page shows no reasoning (its models declare none)',
      'finish-length': 'the page takes no output cap',
      'fault-rate-limit': 'the page has no accounts and no rate limit to provoke (no login, no refusals)',
      'fault-session-ended': 'the page has no login, so no session can end',
      'fault-server-error': 'the page shows no failed replies (its fake server has no fault switch)',
    },
  },
);

describe('awkward page quirks', { timeout: 90_000 }, () => {
  test('markdown re-rendering, the drawer picker, the file chooser and the title request', async () => {
    try {
      const { site, server } = await start();
      const signal = () => AbortSignal.timeout(20_000);
      const titlesBefore = server.titles;
      // **PINE then PINEAPPLE (bold): text on screen is rewritten mid-stream, the deltas stay exact.
      const reply = await collect(
        site.send({ model: 'Model B', text: 'Reply with the word PINEAPPLE', attachments: [] }, signal()),
      );
      assert.equal(textOf(reply), 'Model B says:\n\nPINEAPPLE');
      const other = await collect(site.send({ model: 'Model A', text: 'hello', attachments: [] }, signal()));
      assert.equal(textOf(other), 'Model A heard: hello.');
      assert.ok(
        server.titles > titlesBefore,
        'the page sent its title request, which did not end the reply early',
      );

      const file = await site.upload(
        { data: new TextEncoder().encode('x'), filename: 'note.txt', mediaType: 'text/plain' },
        signal(),
      );
      const withFile = await collect(
        site.send({ model: 'Model B', text: 'look', attachments: [file] }, signal()),
      );
      assert.equal(textOf(withFile), 'Model B heard: look. Files: note.txt.');
      assert.deepEqual(
        (await site.listModels(signal())).map((model) => [model.id, model.capabilities.vision]),
        [
          ['Model A', false],
          ['Model B', true],
        ],
      );
    } finally {
      await release();
    }
  });
});
