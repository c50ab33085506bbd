import { createLogger } from '../../core/logger.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { createQwenSite } from './create-qwen-site.ts';
import { FAKE_QWEN_EMAIL, FAKE_QWEN_PASSWORD, startFakeQwenServer } from './fake-qwen-server.ts';
import { QwenSiteConfigSchema } from './qwen-config.ts';

describeSiteConformance('Qwen Chat (local fake replaying fixtures)', async () => {
  const fake = await startFakeQwenServer();
  const site = createQwenSite(
    QwenSiteConfigSchema.parse({
      id: 'qwen',
      kind: 'qwen',
      baseUrl: fake.url,
      email: FAKE_QWEN_EMAIL,
      password: FAKE_QWEN_PASSWORD,
    }),
    { logger: createLogger('silent') },
  );
  return {
    site,
    model: 'qwen3-235b-a22b',
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
