import { createLogger } from '../../core/logger.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { createPoeWebSite } from './create-poe-web-site.ts';
import { FAKE_POE_FORMKEY, FAKE_POE_PB, startFakePoeServer } from './fake-poe-server.ts';
import { PoeWebSiteConfigSchema } from './poe-web-config.ts';

describeSiteConformance(
  'Poe web session (local fake poe.com + update WebSocket replaying fixtures)',
  async () => {
    const fake = await startFakePoeServer();
    const site = await createPoeWebSite(
      PoeWebSiteConfigSchema.parse({
        id: 'poe',
        kind: 'poe-web',
        baseUrl: fake.url,
        pB: FAKE_POE_PB,
        formkey: FAKE_POE_FORMKEY,
      }),
      { logger: createLogger('silent'), channelUrl: (t) => fake.channelUrl(t) },
    );
    return {
      site,
      model: 'GPT-4o',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: {
        data: new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
        filename: 'dot.png',
        mediaType: 'image/png',
      },
      cleanup: async () => {
        await site.close();
        await fake.close();
      },
    };
  },
);
