import { createLogger } from '../../core/logger.ts';
import { InPageFetchTransport } from '../../transports/browser/in-page-fetch-transport.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { type BrowserFixture, startBrowserFixture } from '../demo/browser/browser-test-fixture.ts';
import { loadRecipe } from './load-recipe.ts';
import { RecipeSite } from './recipe-site.ts';

const recipePath = (name: string) => new URL(`../../../recipes/${name}`, import.meta.url).pathname;
const FILES = ['demo-api.yaml', 'demo-api-ws.yaml'];

// One Chromium for the whole file, shared by both recipes; closed after the last suite.
let fixture: Promise<BrowserFixture> | undefined;
let users = FILES.length;

for (const file of FILES) {
  describeSiteConformance(`recipe ${file} over the browser (in-page fetch, real Chromium)`, async () => {
    fixture ??= startBrowserFixture({ demo: { slowWordDelayMs: 20 } });
    const { demo, manager, logger } = await fixture;
    const account = manager.account(file.replace(/\.yaml$/, ''), { homeUrl: `${demo.url}/` });
    const site = new RecipeSite({
      id: 'demo-recipe',
      recipe: await loadRecipe(recipePath(file)),
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      transport: new InPageFetchTransport({ account, logger: createLogger('silent') }),
      logger,
    });
    return {
      site,
      model: 'slow-1',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: { data: new TextEncoder().encode('hello file'), filename: 'note.txt', mediaType: 'text/plain' },
      cleanup: async () => {
        await site.close();
        if (--users === 0) await (await fixture)?.close();
      },
    };
  });
}
