import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import OpenAI from 'openai';
import { type GatewayWithSites, startGatewayWithSites } from '../../test/support/gateway-with-sites.ts';
import { eventually } from '../../test/support/start-stack.ts';
import {
  SITE_INTERFACE_VERSION,
  type ModelCapabilities,
  type Site,
  type SiteEvent,
} from '../site-contract/site.ts';

const MODEL: ModelCapabilities = {
  vision: false,
  files: false,
  nativeTools: false,
  reasoning: false,
  systemPrompt: true,
  maxInputChars: 10_000,
};

/**
 * A site whose stream goes on yielding what it already has after the abort, as a site reading
 * queued frames or page updates does: only closing its stream ends it (and runs its clean-up).
 */
function endlessSite(streams: { closed: number }): Site {
  return {
    interfaceVersion: SITE_INTERFACE_VERSION,
    id: 'endless',
    capabilities: {
      threads: true,
      deleteThreads: false,
      uploads: false,
      acceptedMediaTypes: [],
      maxUploadBytes: 0,
      models: MODEL,
    },
    listModels: async () => [{ id: 'talker', displayName: 'Talker', capabilities: MODEL }],
    async *send(): AsyncIterable<SiteEvent> {
      try {
        yield { type: 'thread', threadId: 'thr_1' };
        for (;;) {
          await delay(5);
          yield { type: 'text', delta: 'word ' };
        }
      } finally {
        streams.closed++;
      }
    },
    upload: async () => {
      throw new Error('no uploads');
    },
    deleteThread: async () => undefined,
    checkSession: async () => ({ state: 'ok' }),
    login: async () => undefined,
    close: async () => undefined,
  };
}

describe('the pipeline and a client that leaves mid-stream', () => {
  const streams = { closed: 0 };
  let gateway: GatewayWithSites;
  before(async () => {
    gateway = await startGatewayWithSites([endlessSite(streams)]);
  });
  after(() => gateway.close());

  test('closes the site stream it stops reading (the site stops, its timers end)', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'endless/talker', stream: true, messages: [{ role: 'user', content: 'talk' }] },
      { signal: controller.signal },
    );
    let chunks = 0;
    for await (const _chunk of stream) {
      if (++chunks === 3) controller.abort();
    }
    await eventually(async () => streams.closed === 1 || undefined, 3000);
  });
});
