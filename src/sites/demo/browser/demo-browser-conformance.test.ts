import { describeSiteConformance } from '../../conformance/site-conformance-suite.ts';
import { startBrowserFixture } from './browser-test-fixture.ts';
import { createDemoBrowserSite } from './create-demo-browser-site.ts';

// The demo site driven in real Chromium passes the same contract as over plain HTTP, in each mode.
for (const mode of ['in-page-fetch', 'network-capture', 'dom'] as const) {
  describeSiteConformance(`demo site in Chromium (${mode})`, async () => {
    const fixture = await startBrowserFixture({ demo: { slowWordDelayMs: 20 } });
    const site = createDemoBrowserSite({
      id: 'demo',
      baseUrl: fixture.demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      streaming: 'sse',
      mode,
      manager: fixture.manager,
      logger: fixture.logger,
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
}
