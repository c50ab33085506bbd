import { createLogger } from '../../core/logger.ts';
import {
  describeSiteConformance,
  type SiteFault,
} from '../../site-contract/conformance/site-conformance-suite.ts';
import { createOpenAICompatibleSite } from './create-openai-compatible-site.ts';
import { FAKE_OPENAI_KEY, startFakeOpenAIServer } from './fake-openai-server.ts';
import { OpenAICompatibleSiteConfigSchema } from './openai-compatible-config.ts';
import { TINY_PNG_UPLOAD } from '../../site-contract/conformance/conformance-target.ts';

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
        // The fake streams reasoning_content for prompts about thinking, whatever the model.
        modelCapabilities: { 'Claude-Sonnet-4.6': { reasoning: true } },
      }),
      { logger: createLogger('silent') },
    );
    return {
      site,
      model: 'GPT-4o',
      prompt: 'Reply with the word PINEAPPLE',
      expectedText: 'PINEAPPLE',
      longPrompt: 'tell me a long story',
      upload: TINY_PNG_UPLOAD,
      tools: {
        model: 'GPT-4o',
        prompt: 'What is the weather in Paris?',
        tool: {
          name: 'get_weather',
          kind: 'function',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
        // The tool-calls fixture's first call.
        expectedArguments: { city: 'Paris' },
      },
      reasoning: { model: 'Claude-Sonnet-4.6', prompt: 'Think, then reply with the word PINEAPPLE' },
      // The reasoning fixture ends with finish_reason length whatever the cap: this checks the mapping.
      length: { model: 'GPT-4o', prompt: 'think briefly', maxOutputTokens: 3, uncappedStops: false },
      fault: async (kind: SiteFault) => {
        if (kind === 'rate-limit') {
          upstream.replyWith({
            kind: 'error',
            status: 429,
            headers: { 'retry-after': '7' },
            body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
          });
          return { retryAfterSeconds: 7, restore: async () => upstream.reset() };
        }
        upstream.replyWith(
          kind === 'session-ended'
            ? {
                kind: 'error',
                status: 401,
                body: { error: { message: 'Invalid API key', code: 'invalid_api_key' } },
              }
            : {
                kind: 'error',
                status: 500,
                body: { error: { message: 'The server had an error', type: 'server_error' } },
              },
        );
        return { restore: async () => upstream.reset() };
      },
      cleanup: async () => {
        await site.close();
        await upstream.close();
      },
    };
  },
  { skip: { continuation: NO_THREADS, 'delete-thread': NO_THREADS } },
);
