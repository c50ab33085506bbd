import { startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { loadRecipe } from './load-recipe.ts';
import { RecipeSite } from './recipe-site.ts';

const recipePath = (name: string) => new URL(`../../../recipes/${name}`, import.meta.url).pathname;

// The demo site described purely by recipes (no demo code), over plain HTTP.
for (const file of ['demo-api.yaml', 'demo-api-ws.yaml']) {
  describeSiteConformance(`recipe ${file} over HTTP`, async () => {
    const demo = await startDemoSite({ slowWordDelayMs: 20 });
    const site = new RecipeSite({
      id: 'demo-recipe',
      recipe: await loadRecipe(recipePath(file)),
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      transport: new HttpTransport(),
      logger: createLogger('silent'),
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
        await demo.close();
      },
    };
  });
}
