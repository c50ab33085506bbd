import { createLogger } from '../../core/logger.ts';
import { InPageFetchTransport } from '../../transports/browser/in-page-fetch-transport.ts';
import {
  DEMO_RATE_LIMIT_PER_MINUTE,
  demoTargetInputs,
} from '../../site-contract/conformance/demo-site-cases.ts';
import { describeSiteConformance } from '../../site-contract/conformance/site-conformance-suite.ts';
import { type BrowserFixture, startBrowserFixture } from '../../../test/support/browser-fixture.ts';
import { loadRecipe } from './load-recipe.ts';
import { RecipeSite } from './recipe-site.ts';

const recipePath = (name: string) => new URL(`../../../recipes/${name}`, import.meta.url).pathname;
const FILES = ['demo-api.yaml', 'demo-api-ws.yaml'];
const NO_TOOLS_SENT =
  'recipe bug: the demo-api recipes declare nativeTools for tools-1 (from the listing) but their send request carries no `tools` and their stream maps no tool_call, so the model never sees the tool';

// One Chromium for the whole file, shared by both recipes; closed after the last suite.
let fixture: Promise<BrowserFixture> | undefined;
let users = FILES.length;

for (const file of FILES) {
  describeSiteConformance(
    `recipe ${file} over the browser (in-page fetch, real Chromium)`,
    async () => {
      fixture ??= startBrowserFixture({
        demo: { slowWordDelayMs: 20, rateLimitPerMinute: DEMO_RATE_LIMIT_PER_MINUTE },
      });
      const credentials = { username: 'demo', password: 'demo-password' };
      const { demo, manager, logger } = await fixture;
      const account = manager.account(file.replace(/\.yaml$/, ''), { homeUrl: `${demo.url}/` });
      const site = new RecipeSite({
        id: 'demo-recipe',
        recipe: await loadRecipe(recipePath(file)),
        baseUrl: demo.url,
        credentials,
        transport: new InPageFetchTransport({ account, logger: createLogger('silent') }),
        logger,
      });
      return {
        site,
        ...demoTargetInputs(demo.url, credentials),
        cleanup: async () => {
          await site.close();
          if (--users === 0) await (await fixture)?.close();
        },
      };
    },
    { skip: { 'native-tools': NO_TOOLS_SENT } },
  );
}
