import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import { type BrowserFixture, startBrowserFixture } from '../../../test/support/browser-fixture.ts';
import { type GatewayWithSites, startGatewayWithSites } from '../../../test/support/gateway-with-sites.ts';
import { loadRecipe } from './load-recipe.ts';
import { RecipeSite } from './recipe-site.ts';
import { createUiOperations } from './ui/create-ui-operations.ts';

/** A 16×16 red PNG. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAGUlEQVQokWO4IyJCEmIY1SAyGkp3hmvSAAACcQQQe09N1gAAAABJRU5ErkJggg==';
const recipePath = (name: string) => new URL(`../../../recipes/${name}`, import.meta.url).pathname;
const CREDENTIALS = { username: 'demo', password: 'demo-password' };

// The demo site described only by recipes, behind the real front doors, used by the official SDKs.
describe('recipe sites through the gateway with the official SDKs', { timeout: 180_000 }, () => {
  let fixture: BrowserFixture;
  let gateway: GatewayWithSites;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    fixture = await startBrowserFixture({ demo: { slowWordDelayMs: 10 } });
    const logger = createLogger('silent');
    const account = fixture.manager.account('sdk-ui', { homeUrl: `${fixture.demo.url}/` });
    const apiSite = new RecipeSite({
      id: 'api',
      recipe: await loadRecipe(recipePath('demo-api.yaml')),
      baseUrl: fixture.demo.url,
      credentials: CREDENTIALS,
      transport: new HttpTransport(),
      logger,
    });
    const uiSite = new RecipeSite({
      id: 'ui',
      recipe: await loadRecipe(recipePath('demo-ui.yaml')),
      baseUrl: fixture.demo.url,
      credentials: CREDENTIALS,
      transport: new HttpTransport(),
      ui: (recipe, baseUrl) =>
        createUiOperations({ recipe, baseUrl, account, credentials: CREDENTIALS, logger }),
      logger,
    });
    gateway = await startGatewayWithSites([apiSite, uiSite]);
    openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key, maxRetries: 0 });
  });
  after(async () => {
    await gateway?.close();
    await fixture?.close();
  });

  test('models of both recipe sites are listed', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    for (const id of ['api/text-1', 'api/demo-default', 'ui/slow-1', 'ui/vision-1'])
      assert.ok(ids.includes(id), id);
  });

  for (const site of ['api', 'ui']) {
    test(`${site}: OpenAI chat stream, then the next turn continues the same site thread`, async () => {
      const model = `${site}/text-1`;
      const stream = await openai.chat.completions.create({
        model,
        stream: true,
        messages: [{ role: 'user', content: 'remember mango' }],
      });
      let first = '';
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        first += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.match(first, /^\[text-1\] turn=1 /);
      assert.equal(finish, 'stop');
      const second = await openai.chat.completions.create({
        model,
        messages: [
          { role: 'user', content: 'remember mango' },
          { role: 'assistant', content: first },
          { role: 'user', content: 'what did I ask you to remember' },
        ],
      });
      const text = second.choices[0]?.message.content ?? '';
      assert.match(text, /^\[text-1\] turn=2 /, text);
      assert.match(text, /mango/);
    });

    test(`${site}: Anthropic messages with a system prompt and an image`, async () => {
      const message = await anthropic.messages.create({
        model: `${site}/vision-1`,
        max_tokens: 200,
        system: 'Be terse.',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
              { type: 'text', text: 'Reply with the word PINEAPPLE' },
            ],
          },
        ],
      });
      const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      assert.match(text, /attachments=1 sha256=[0-9a-f]{64} /);
      assert.doesNotMatch(text, /system=- /, 'the system prompt reached the site');
      assert.match(text, /PINEAPPLE/);
      assert.equal(message.stop_reason, 'end_turn');
    });
  }
});
