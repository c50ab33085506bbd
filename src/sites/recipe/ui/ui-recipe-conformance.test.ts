import { createLogger } from '../../../core/logger.ts';
import { InPageFetchTransport } from '../../../transports/browser/in-page-fetch-transport.ts';
import { describeSiteConformance } from '../../conformance/site-conformance-suite.ts';
import { startBrowserFixture } from '../../demo/browser/browser-test-fixture.ts';
import { loadRecipe } from '../load-recipe.ts';
import { RecipeSite } from '../recipe-site.ts';
import { createUiOperations } from './create-ui-operations.ts';

const recipePath = new URL('../../../../recipes/demo-ui.yaml', import.meta.url).pathname;

// The demo site described only by its UI, driven in real Chromium (one browser for the file).
describeSiteConformance('recipe demo-ui.yaml in real Chromium (UI driving only)', async () => {
  const fixture = await startBrowserFixture({ demo: { slowWordDelayMs: 20 } });
  const logger = createLogger('silent');
  const account = fixture.manager.account('ui', { homeUrl: `${fixture.demo.url}/` });
  const credentials = { username: 'demo', password: 'demo-password' };
  const site = new RecipeSite({
    id: 'demo-ui',
    recipe: await loadRecipe(recipePath),
    baseUrl: fixture.demo.url,
    credentials,
    // Unused: the recipe has no api section; every operation goes through the page.
    transport: new InPageFetchTransport({ account, logger }),
    ui: (recipe, baseUrl) => createUiOperations({ recipe, baseUrl, account, credentials, logger }),
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
      await fixture.close();
    },
  };
});
