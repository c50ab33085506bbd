import { createLogger } from '../../core/logger.ts';
import { TINY_PNG_UPLOAD } from '../../site-contract/conformance/conformance-target.ts';
import { proxiedFaults, startFaultProxy } from '../../site-contract/conformance/fault-proxy.ts';
import { describeSiteConformance } from '../../site-contract/conformance/site-conformance-suite.ts';
import { createPoeWebSite } from './create-poe-web-site.ts';
import { FAKE_POE_FORMKEY, FAKE_POE_PB, startFakePoeServer } from './fake-poe-server.ts';
import { PoeWebSiteConfigSchema } from './poe-web-config.ts';

describeSiteConformance(
  'Poe web session (local fake poe.com + update WebSocket replaying fixtures)',
  async () => {
    const fake = await startFakePoeServer();
    // poe.com's HTTP faults come from a proxy in front of the fake's GraphQL endpoint.
    const proxy = await startFaultProxy(fake.url);
    const site = await createPoeWebSite(
      PoeWebSiteConfigSchema.parse({
        id: 'poe',
        kind: 'poe-web',
        baseUrl: proxy.url,
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
      upload: TINY_PNG_UPLOAD,
      fault: proxiedFaults(proxy, {
        matches: (method, path) => method === 'POST' && path === '/api/gql_POST',
        retryAfterSeconds: 6,
        serverErrorStatus: 502,
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
      'native-tools': 'Poe web bots take no client function calls (tools travel as prompt text)',
      reasoning: "the Poe web adapter declares no reasoning model (a bot's thinking arrives inside its text)",
      'finish-length': "Poe's web send mutation takes no output cap",
    },
  },
);
