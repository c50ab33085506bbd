import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadRecipe, parseRecipe } from './load-recipe.ts';
import { recipeWarnings } from './recipe-warnings.ts';

const RECIPES_DIR = new URL('../../../recipes/', import.meta.url);

const BASE = `recipe: 2
name: Tiny
baseUrl: http://127.0.0.1:1
capabilities: { threads: false }
models:
  - id: m1
api:
  send:
    request:
      method: POST
      url: /chat
      json: { text: '{{text}}', system: '{{systemPrompt}}' }
    stream:
      format: sse
      text: { when: { event: text }, path: $.delta }
      finish: { when: { event: done } }
`;

describe('recipe warnings: declared capabilities a recipe never uses', () => {
  test('the shipped recipes have none', async () => {
    for (const name of ['demo-api.yaml', 'demo-api-ws.yaml', 'demo-ui.yaml', 'demo-api-v2.yaml']) {
      assert.deepEqual(recipeWarnings(await loadRecipe(new URL(name, RECIPES_DIR).pathname)), [], name);
    }
  });

  test('a system prompt that is never placed', () => {
    assert.deepEqual(recipeWarnings(parseRecipe(BASE)), []);
    const [warning, ...rest] = recipeWarnings(parseRecipe(BASE.replace(", system: '{{systemPrompt}}'", '')));
    assert.match(warning ?? '', /never places \{\{systemPrompt\}\}/);
    assert.deepEqual(rest, []);
  });

  test('vision without a way to send files, and inline files never placed', () => {
    const vision = BASE.replace('  - id: m1', '  - id: m1\n    capabilities: { vision: true }');
    assert.match(
      recipeWarnings(parseRecipe(vision)).join('\n'),
      /marked vision, but the recipe has no api.upload/,
    );
    assert.match(
      recipeWarnings(parseRecipe(`${vision}  upload: inline\n`)).join('\n'),
      /upload: inline, but api.send never places \{\{files\}\}/,
    );
  });

  test('threads: true without reading or sending a thread id', () => {
    const warnings = recipeWarnings(parseRecipe(BASE.replace('threads: false', 'threads: true')));
    assert.match(warnings.join('\n'), /threads: true, but the recipe never reads a thread id/);
  });
});
