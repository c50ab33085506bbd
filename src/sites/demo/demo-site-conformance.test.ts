import { startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import {
  DEMO_RATE_LIMIT_PER_MINUTE,
  demoTargetInputs,
} from '../../site-contract/conformance/demo-site-cases.ts';
import { describeSiteConformance } from '../../site-contract/conformance/site-conformance-suite.ts';
import { DemoSiteAdapter } from './demo-site-adapter.ts';

for (const streaming of ['sse', 'ws'] as const) {
  describeSiteConformance(`demo site over HTTP (${streaming})`, async () => {
    const demo = await startDemoSite({
      slowWordDelayMs: 20,
      control: true,
      rateLimitPerMinute: DEMO_RATE_LIMIT_PER_MINUTE,
    });
    const credentials = { username: 'demo', password: 'demo-password' };
    const site = new DemoSiteAdapter({
      id: 'demo',
      baseUrl: demo.url,
      credentials,
      streaming,
      transport: new HttpTransport(),
      logger: createLogger('silent'),
    });
    return {
      site,
      ...demoTargetInputs(demo.url, credentials),
      cleanup: async () => {
        await site.close();
        await demo.close();
      },
    };
  });
}
