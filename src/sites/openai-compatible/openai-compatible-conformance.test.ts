import { createLogger } from '../../core/logger.ts';
import { describeSiteConformance } from '../conformance/site-conformance-suite.ts';
import { createOpenAICompatibleSite } from './create-openai-compatible-site.ts';
import { FAKE_OPENAI_KEY, startFakeOpenAIServer } from './fake-openai-server.ts';
import { OpenAICompatibleSiteConfigSchema } from './openai-compatible-config.ts';

const NO_THREADS = 'OpenAI-compatible upstreams are stateless: the gateway sends the whole history each turn';

describeSiteConformance(
  'OpenAI-compatible upstream (local fake replaying fixtures)',
  async () => {
    const upstream = await startFakeOpenAIServer();
    const site = createOpenAICompatibleSite(
      OpenAICompatibleSiteConfigSchema.parse({
        id: 'openai-up',
        kind: 'openai-compatible',
        baseUrl: upstream.url,
        apiKey: FAKE_OPENAI_KEY,
      }),
      { logger: createLogger('silent') },
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
        await upstream.close();
      },
    };
  },
  { skip: { continuation: NO_THREADS, 'delete-thread': NO_THREADS } },
);
