import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoSite, startDemoSite } from '../../../demo-site/src/index.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpTransport } from '../../transports/http/http-transport.ts';
import type { SiteEvent } from '../../site-contract/site.ts';
import { RecipeError } from './load-recipe.ts';
import type { Recipe } from './recipe-schema.ts';
import { RecipeSite } from './recipe-site.ts';
import { type RecipeWatcher, watchRecipe } from './watch-recipe.ts';

const DEMO_RECIPE = new URL('../../../recipes/demo-api.yaml', import.meta.url);

/** Resolves with the next value pushed, or fails after a while. */
function nextValue<T>(): { push(value: T): void; next(): Promise<T> } {
  const queue: T[] = [];
  let waiting: ((value: T) => void) | undefined;
  return {
    push(value) {
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(value);
      } else queue.push(value);
    },
    next() {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no change seen in time')), 5000);
        waiting = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
      });
    },
  };
}

async function collectText(events: AsyncIterable<SiteEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'text') text += event.delta;
  return text;
}

describe('recipe hot reload', () => {
  let dir: string;
  let path: string;
  let original: string;
  let demo: DemoSite;
  let site: RecipeSite;
  let watcher: RecipeWatcher;
  const changes = nextValue<Recipe>();
  const errors = nextValue<Error>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recipe-watch-'));
    path = join(dir, 'site.yaml');
    original = await readFile(DEMO_RECIPE, 'utf8');
    await writeFile(path, original);
    demo = await startDemoSite({});
    watcher = await watchRecipe(
      path,
      (recipe) => {
        site.replaceRecipe(recipe);
        changes.push(recipe);
      },
      { onError: (error) => errors.push(error), debounceMs: 30 },
    );
    site = new RecipeSite({
      id: 'hot',
      recipe: watcher.current,
      baseUrl: demo.url,
      credentials: { username: 'demo', password: 'demo-password' },
      transport: new HttpTransport(),
      logger: createLogger('silent'),
    });
  });

  after(async () => {
    watcher?.close();
    await site?.close();
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an edit takes effect without a restart', async () => {
    assert.ok((await site.listModels()).some((model) => model.id === 'demo-default'));
    await writeFile(path, original.replace('demo-default: text-1', 'quick: fast-1'));
    const recipe = await changes.next();
    assert.deepEqual(recipe.aliases, { quick: 'fast-1' });
    const ids = (await site.listModels()).map((model) => model.id);
    assert.ok(ids.includes('quick') && !ids.includes('demo-default'), ids.join(','));
    assert.match(
      await collectText(
        site.send({ model: 'quick', text: 'say hi', attachments: [] }, AbortSignal.timeout(5000)),
      ),
      /^\[fast-1\]/,
    );
  });

  test('a broken edit is refused with its error; the previous version keeps serving', async () => {
    await writeFile(
      path,
      original.replace('demo-default: text-1', 'quick: fast-1').replace('      text: {', '      txt: {'),
    );
    const error = await errors.next();
    assert.ok(error instanceof RecipeError);
    assert.match(error.message, /^site\.yaml:\d+ api\.send\.stream: unknown key 'txt'$/m);
    assert.deepEqual(watcher.current.aliases, { quick: 'fast-1' });
    assert.match(
      await collectText(
        site.send({ model: 'quick', text: 'say hi', attachments: [] }, AbortSignal.timeout(5000)),
      ),
      /^\[fast-1\]/,
    );
  });

  test('a fixed version saved by rename (as editors do) is picked up', async () => {
    const temporary = join(dir, '.site.yaml.swp');
    await writeFile(temporary, original.replace('demo-default: text-1', 'again: slow-1'));
    await rename(temporary, path);
    const recipe = await changes.next();
    assert.deepEqual(recipe.aliases, { again: 'slow-1' });
    assert.ok((await site.listModels()).some((model) => model.id === 'again'));
  });
});
