import { createLogger } from '../../core/logger.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { createHuggingChatSite } from './create-huggingchat-site.ts';
import { FAKE_HF_TOKEN, startFakeHuggingChatServer } from './fake-huggingchat-server.ts';
import { HuggingChatSiteConfigSchema } from './huggingchat-config.ts';

describeSiteConformance('HuggingChat (local fake chat-ui replaying fixtures)', async () => {
  const fake = await startFakeHuggingChatServer();
  const site = createHuggingChatSite(
    HuggingChatSiteConfigSchema.parse({
      id: 'hf',
      kind: 'huggingchat',
      baseUrl: fake.url,
      token: FAKE_HF_TOKEN,
    }),
    { logger: createLogger('silent') },
  );
  return {
    site,
    model: 'omni',
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
});
