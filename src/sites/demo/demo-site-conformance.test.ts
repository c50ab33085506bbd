import { startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import {
  DEMO_LENGTH,
  DEMO_RATE_LIMIT_PER_MINUTE,
  DEMO_REASONING,
  DEMO_TOOLS,
  DEMO_UPLOAD,
  demoControlFaults,
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
      model: 'slow-1',
      quickModel: 'text-1',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: DEMO_UPLOAD,
      tools: DEMO_TOOLS,
      reasoning: DEMO_REASONING,
      length: DEMO_LENGTH,
      fault: demoControlFaults(demo.url, credentials),
      cleanup: async () => {
        await site.close();
        await demo.close();
      },
    };
  });
}
