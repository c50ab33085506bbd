import { createLogger } from '../../core/logger.ts';
import { TINY_PNG_UPLOAD } from '../../site-contract/conformance/conformance-target.ts';
import { proxiedFaults, startFaultProxy } from '../../site-contract/conformance/fault-proxy.ts';
import { describeSiteConformance } from '../../site-contract/conformance/site-conformance-suite.ts';
import { createHuggingChatSite } from './create-huggingchat-site.ts';
import { FAKE_HF_TOKEN, startFakeHuggingChatServer } from './fake-huggingchat-server.ts';
import { HuggingChatSiteConfigSchema } from './huggingchat-config.ts';

describeSiteConformance(
  'HuggingChat (local fake chat-ui replaying fixtures)',
  async () => {
    const fake = await startFakeHuggingChatServer();
    // chat-ui's faults come from a proxy in front of the fake (the fake has no error switches).
    const proxy = await startFaultProxy(fake.url);
    const site = createHuggingChatSite(
      HuggingChatSiteConfigSchema.parse({
        id: 'hf',
        kind: 'huggingchat',
        baseUrl: proxy.url,
        token: FAKE_HF_TOKEN,
        // The fake's reasoning fixture stands for a reasoning model; HuggingChat's listing does not say.
        modelCapabilities: { omni: { reasoning: true } },
      }),
      { logger: createLogger('silent') },
    );
    return {
      site,
      model: 'omni',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: TINY_PNG_UPLOAD,
      reasoning: { model: 'omni', prompt: 'Think, then reply with the word PINEAPPLE' },
      fault: proxiedFaults(proxy, {
        matches: (method) => method === 'POST',
        retryAfterSeconds: 9,
        bodies: {
          'rate-limit': { message: 'rateLimited' },
          'session-ended': { message: 'Unauthorized' },
          'server-error': { message: 'Internal Error' },
        },
      }),
      cleanup: async () => {
        await site.close();
        await proxy.close();
        await fake.close();
      },
    };
  },
  {
    skip: {
      'native-tools':
        "HuggingChat's tools are its own server-side MCP tools; no model takes client function calls",
      'finish-length': "HuggingChat's web API takes no output cap per turn",
    },
  },
);
