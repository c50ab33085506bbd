import { createLogger } from '../../core/logger.ts';
import { TINY_PNG_UPLOAD } from '../../site-contract/conformance/conformance-target.ts';
import { proxiedFaults, startFaultProxy } from '../../site-contract/conformance/fault-proxy.ts';
import {
  describeSiteConformance,
  type SiteFault,
} from '../../site-contract/conformance/site-conformance-suite.ts';
import { createQwenSite } from './create-qwen-site.ts';
import { FAKE_QWEN_EMAIL, FAKE_QWEN_PASSWORD, startFakeQwenServer } from './fake-qwen-server.ts';
import { QwenSiteConfigSchema } from './qwen-config.ts';

describeSiteConformance(
  'Qwen Chat (local fake replaying fixtures)',
  async () => {
    const fake = await startFakeQwenServer();
    // Status faults come from a proxy in front of the fake; an ended session from the fake itself.
    const proxy = await startFaultProxy(fake.url);
    const site = createQwenSite(
      QwenSiteConfigSchema.parse({
        id: 'qwen',
        kind: 'qwen',
        baseUrl: proxy.url,
        email: FAKE_QWEN_EMAIL,
        password: FAKE_QWEN_PASSWORD,
      }),
      { logger: createLogger('silent') },
    );
    const completionFaults = proxiedFaults(proxy, {
      matches: (method, path) => method === 'POST' && path === '/api/v2/chat/completions',
      retryAfterSeconds: 11,
      bodies: { 'server-error': { detail: 'Internal Server Error' } },
    });
    return {
      site,
      model: 'qwen3-235b-a22b',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: TINY_PNG_UPLOAD,
      // The thinking model's replies stream a think phase first.
      reasoning: { model: 'qwen3-235b-a22b', prompt: 'Reply with the word PINEAPPLE' },
      fault: async (kind: SiteFault) => {
        if (kind === 'session-ended') {
          fake.revokeTokens();
          return { restore: async () => {} };
        }
        return completionFaults(kind);
      },
      cleanup: async () => {
        await site.close();
        await proxy.close();
        await fake.close();
      },
    };
  },
  {
    skip: {
      'native-tools': 'Qwen Chat takes no client function calls',
      'finish-length': "Qwen Chat's completion request takes no output cap",
    },
  },
);
