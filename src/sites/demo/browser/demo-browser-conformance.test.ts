import {
  DEMO_RATE_LIMIT_PER_MINUTE,
  demoTargetInputs,
} from '../../../site-contract/conformance/demo-site-cases.ts';
import { describeSiteConformance } from '../../../site-contract/conformance/site-conformance-suite.ts';
import { startBrowserFixture } from '../../../../test/support/browser-fixture.ts';
import { createDemoBrowserSite } from './create-demo-browser-site.ts';

// The demo site driven in real Chromium passes the same contract as over plain HTTP, in each mode.
for (const mode of ['in-page-fetch', 'network-capture', 'dom'] as const) {
  describeSiteConformance(`demo site in Chromium (${mode})`, async () => {
    const fixture = await startBrowserFixture({
      demo: { slowWordDelayMs: 20, rateLimitPerMinute: DEMO_RATE_LIMIT_PER_MINUTE },
    });
    const credentials = { username: 'demo', password: 'demo-password' };
    const site = createDemoBrowserSite({
      id: 'demo',
      baseUrl: fixture.demo.url,
      credentials,
      streaming: 'sse',
      mode,
      manager: fixture.manager,
      logger: fixture.logger,
    });
    return {
      site,
      ...demoTargetInputs(fixture.demo.url, credentials),
      cleanup: async () => {
        await site.close();
        await fixture.close();
      },
    };
  });
}
