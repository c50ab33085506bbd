import { startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { DemoSiteAdapter } from './demo-site-adapter.ts';

for (const streaming of ['sse', 'ws'] as const) {
  describeSiteConformance(`demo site over HTTP (${streaming})`, async () => {
    const demo = await startDemoSite({ slowWordDelayMs: 20 });
    const site = new DemoSiteAdapter({
      id: 'demo',
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      streaming,
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
